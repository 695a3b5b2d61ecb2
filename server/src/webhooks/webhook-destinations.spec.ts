import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { WebhookDestinations } from './webhook-destinations.js';

describe('WebhookDestinations', () => {
  const strict = new WebhookDestinations();

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.9', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fd12::1', 'unique local (private IPv6)'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    // IPv4-compatible IPv6 (deprecated, ::/96): some stacks still route it to the IPv4 address it embeds.
    // (URL parsing normalises [::127.0.0.1] to [::7f00:1].)
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::a00:1', 'private'],
    ['::a9fe:a9fe', 'link-local'],
    ['::2', 'unspecified'],
  ])('refuses %s as a %s address by default', (address, kind) => {
    expect(strict.refusal(address)).toMatch(
      new RegExp(`is a ${kind.replace(/[()]/g, '\\$&')} address; webhooks go to public addresses unless SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST allows it`),
    );
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::1111'])('accepts the public address %s', (address) => {
    expect(strict.refusal(address)).toBeNull();
  });

  it('accepts what the allowlist names: an IP, a CIDR range, a host name, or every address with *', () => {
    const some = new WebhookDestinations(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'Hooks.Internal']);
    expect(some.refusal('127.0.0.1')).toBeNull();
    expect(some.refusal('10.200.3.4')).toBeNull();
    expect(some.refusal('fd00::5')).toBeNull();
    expect(some.refusal('192.168.0.10', 'hooks.internal')).toBeNull();
    expect(some.refusal('192.168.0.10', 'other.internal')).not.toBeNull();
    expect(some.refusal('127.0.0.2')).not.toBeNull();
    expect(new WebhookDestinations(['*']).refusal('169.254.169.254')).toBeNull();
  });

  it('judges URLs whose host is known without DNS: IP literals and localhost', () => {
    expect(strict.refusalForUrl('http://127.0.0.1:9000/x')).toMatch(/^127\.0\.0\.1 is a loopback address/);
    expect(strict.refusalForUrl('http://[::1]/x')).toMatch(/^::1 is a loopback address/);
    expect(strict.refusalForUrl('http://LOCALHOST/x')).toMatch(/^127\.0\.0\.1 is a loopback address/);
    expect(strict.refusalForUrl('http://app.localhost/x')).not.toBeNull();
    expect(strict.refusalForUrl('https://hooks.example.com/x')).toBeNull();
    expect(new WebhookDestinations(['localhost']).refusalForUrl('http://localhost:8080/x')).toBeNull();
    expect(strict.refusalForUrl('http://[::127.0.0.1]:1/')).toMatch(/^127\.0\.0\.1 is a loopback address/);
    expect(strict.refusalForUrl('http://[0:0:0:0:0:0:7f00:1]/')).toMatch(/^127\.0\.0\.1 is a loopback address/);
  });

  it('refuses, without throwing, a URL it cannot parse, such as an IPv6 literal with a zone id', () => {
    for (const url of ['http://[::1%25lo]:1/', 'http://[fe80::1%25eth0]/x', 'http://[::1%lo]/']) {
      expect(strict.refusalForUrl(url), url).toMatch(/is not a URL the server can send to/);
    }
    // The allowlist does not make an unparseable URL acceptable either.
    expect(new WebhookDestinations(['*']).refusalForUrl('http://[::1%25lo]:1/')).toMatch(/is not a URL the server can send to/);
  });

  it('refuses at connect time a host name that resolves to a refused address, with the reason', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const send = (destinations: WebhookDestinations) => {
      const dispatcher = new Agent({ connect: { lookup: destinations.lookup } });
      return fetch(`http://localhost:${port}/`, { dispatcher }).finally(() => dispatcher.close());
    };
    try {
      const error = await send(strict).then(
        () => null,
        (err: Error & { cause?: Error }) => err.cause,
      );
      expect(error?.message).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1) is a loopback address/);
      expect(await (await send(new WebhookDestinations(['127.0.0.1', '::1']))).text()).toBe('ok');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
