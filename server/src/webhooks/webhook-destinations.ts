import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

/**
 * Which addresses webhooks may be sent to. Only public unicast addresses by default: an admin
 * must not be able to make the server POST to its own loopback, the cloud metadata endpoint
 * (169.254.169.254) or the private network behind it. Self-hosted receivers on a private network
 * are allowed one by one (SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST).
 */
export class WebhookDestinations {
  private readonly anyPrivate: boolean;
  private readonly ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  private readonly hosts = new Set<string>();

  /** Entries: `*` (every private address), an IP, a CIDR range, or a host name (any address it resolves to). */
  constructor(readonly allowlist: readonly string[] = []) {
    this.anyPrivate = allowlist.includes('*');
    for (const entry of allowlist) {
      if (entry === '*') continue;
      const range = parseRange(entry);
      if (range) this.ranges.push(range);
      else this.hosts.add(entry.toLowerCase());
    }
  }

  /** Why `address` (an IP) may not receive webhooks for `hostname`, or null when it may. */
  refusal(address: string, hostname = address): string | null {
    if (this.anyPrivate || this.hosts.has(normalHost(hostname))) return null;
    let ip = ipaddr.parse(address);
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    const range = ip.range();
    if (range === 'unicast') return null;
    if (this.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return null;
    return `${ip.toString()} is a ${describe(range)} address; webhooks go to public addresses unless SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST allows it`;
  }

  /** The refusal for a URL whose host is an IP literal or `localhost` (known without DNS), else null. */
  refusalForUrl(url: string): string | null {
    const hostname = normalHost(new URL(url).hostname);
    if (isIP(hostname)) return this.refusal(hostname);
    if (hostname === 'localhost' || hostname.endsWith('.localhost')) return this.refusal('127.0.0.1', hostname);
    return null;
  }

  /**
   * A `dns.lookup` for the HTTP client: checks the address actually connected to, so a host name
   * that resolves (or later rebinds) to a private address is refused too.
   */
  readonly lookup = (hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.map((a) => this.refusal(a.address, hostname)).find((r) => r !== null);
      // No error code: the delivery log shows a code in preference to the message, and this message is the point.
      if (refused) return callback(new Error(`refused: ${hostname} resolves to ${refused}`), []);
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Checks SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST entries; returns the ones that are neither `*`, an IP, a CIDR range nor a host name. */
export const invalidAllowlistEntries = (entries: readonly string[]): string[] =>
  entries.filter((e) => e !== '*' && !parseRange(e) && !/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(e));

const parseRange = (entry: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null => {
  try {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    if (ipaddr.isValid(entry)) {
      const ip = ipaddr.parse(entry);
      return [ip, ip.kind() === 'ipv4' ? 32 : 128];
    }
  } catch {
    // not a range: a host name, or invalid
  }
  return null;
};

// URL.hostname keeps IPv6 literals in brackets.
const normalHost = (hostname: string): string => hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');

const describe = (range: string): string =>
  ({
    loopback: 'loopback',
    private: 'private',
    linkLocal: 'link-local',
    uniqueLocal: 'unique local (private IPv6)',
    unspecified: 'unspecified',
    carrierGradeNat: 'carrier-grade NAT',
    broadcast: 'broadcast',
    multicast: 'multicast',
    reserved: 'reserved',
  })[range] ?? `non-public (${range})`;
