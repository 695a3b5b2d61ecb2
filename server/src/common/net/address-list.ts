import ipaddr from 'ipaddr.js';

/** A network as ipaddr.js matches it: an address and its prefix length. */
export type AddressRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A CIDR range (`10.0.0.0/8`, `fd00::/8`) or one address (as a /32 or /128); null for anything else. */
export const parseAddressRange = (entry: string): AddressRange | null => {
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

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most. */
export const isHostName = (entry: string): boolean => HOST_NAME.test(entry);

/**
 * Entries of a private-address allowlist (SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST) that are neither
 * `*`, an IP, a CIDR range nor a host name. Read by config at start and by webhooks when sending.
 */
export const invalidAllowlistEntries = (entries: readonly string[]): string[] => entries.filter((e) => e !== '*' && !parseAddressRange(e) && !isHostName(e));
