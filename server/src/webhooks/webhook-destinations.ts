import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { type AddressRange, parseAddressRange } from '../common/net/address-list.js';

/**
 * Which addresses webhooks may be sent to. Only public unicast addresses by default: an admin
 * must not be able to make the server POST to its own loopback, the cloud metadata endpoint
 * (169.254.169.254) or the private network behind it. Self-hosted receivers on a private network
 * are allowed one by one (SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST).
 */
export class WebhookDestinations {
  private readonly anyPrivate: boolean;
  private readonly ranges: AddressRange[] = [];
  private readonly hosts = new Set<string>();

  /** Entries: `*` (every private address), an IP, a CIDR range, or a host name (any address it resolves to). */
  constructor(readonly allowlist: readonly string[] = []) {
    this.anyPrivate = allowlist.includes('*');
    for (const entry of allowlist) {
      if (entry === '*') continue;
      const range = parseAddressRange(entry);
      if (range) this.ranges.push(range);
      else this.hosts.add(entry.toLowerCase());
    }
  }

  /** Why `address` (an IP) may not receive webhooks for `hostname`, or null when it may. */
  refusal(address: string, hostname = address): string | null {
    if (this.anyPrivate || this.hosts.has(normalHost(hostname))) return null;
    let ip = ipaddr.parse(address);
    if (ip.kind() === 'ipv6') ip = embeddedIPv4(ip as ipaddr.IPv6) ?? ip;
    const range = ip.range();
    if (range === 'unicast') return null;
    if (this.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return null;
    return `${ip.toString()} is a ${describe(range)} address; webhooks go to public addresses unless SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST allows it`;
  }

  /** The refusal for a URL whose host is an IP literal or `localhost` (known without DNS), else null. */
  refusalForUrl(url: string): string | null {
    // What the validator calls a URL, Node's URL parser (and so the HTTP client) may not: an IPv6
    // literal with a zone id (`[fe80::1%25eth0]`) is one. Refused like any other unusable URL.
    if (!URL.canParse(url)) return UNPARSEABLE;
    const hostname = normalHost(new URL(url).hostname);
    if (isIP(hostname)) return this.refusal(hostname);
    if (hostname === 'localhost' || hostname.endsWith('.localhost')) return this.refusal('127.0.0.1', hostname);
    return null;
  }

  /**
   * A `dns.lookup` for the HTTP client: checks the address actually connected to, so a host name
   * that resolves (or later rebinds) to a private address is refused too.
   */
  readonly lookup = (
    hostname: string,
    options: object,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
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

const UNPARSEABLE = 'it is not a URL the server can send to (IPv6 zone ids such as %25eth0 are not supported)';

/**
 * The IPv4 address an IPv6 one stands for: IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible
 * (::a.b.c.d, deprecated but still routed to the IPv4 address by some stacks), else null.
 * `::` and `::1` are IPv6's own unspecified and loopback addresses.
 */
const embeddedIPv4 = (ip: ipaddr.IPv6): ipaddr.IPv4 | null => {
  if (ip.isIPv4MappedAddress()) return ip.toIPv4Address();
  const [a, b, c, d, e, f, high, low] = ip.parts as [number, number, number, number, number, number, number, number];
  if (a !== 0 || b !== 0 || c !== 0 || d !== 0 || e !== 0 || f !== 0 || (high === 0 && low <= 1)) return null;
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
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
