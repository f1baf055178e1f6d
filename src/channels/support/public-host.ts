import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A host that is, or resolves to, an address that is not on the public Internet. */
export class PrivateHostError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${host} is (or resolves to) ${address}, a ${range} address`);
    this.name = 'PrivateHostError';
  }
}

/**
 * Whether an address is a public unicast one. The ranges are ipaddr.js's (IANA special-purpose
 * registries): loopback, private, link-local (169.254/16, the cloud metadata service), carrier-grade
 * NAT, unique-local, multicast, reserved, 6to4/Teredo/NAT64 (which embed IPv4 addresses), … are not;
 * an IPv4-mapped IPv6 address is judged as its IPv4 address.
 */
export function publicAddressRange(address: string): { public: boolean; range: string } {
  let ip: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  return { public: range === 'unicast', range };
}

/**
 * Resolves a host named by a comune's administrator (an e-mail account's IMAP or SMTP server) and
 * checks every address it resolves to: a private or other non-public one throws PrivateHostError,
 * unless the installation allows them (CHANNEL_ALLOW_PRIVATE_HOSTS). Returns the address to connect
 * to, so that the connection goes where the check looked (a second lookup could answer otherwise).
 */
export async function resolvePublicHost(host: string, allowPrivate: boolean): Promise<{ address: string; family: number }> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const found = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await lookup(bare, { all: true, verbatim: true });
  if (!found.length) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
  if (!allowPrivate) {
    for (const a of found) {
      const r = publicAddressRange(a.address);
      if (!r.public) throw new PrivateHostError(host, a.address, r.range);
    }
  }
  return found[0];
}

/** The TLS server name (SNI, certificate check) for a host connected to by address: none for an IP literal. */
export function tlsServername(host: string): { servername?: string } {
  return isIP(host.replace(/^\[(.*)\]$/, '$1')) ? {} : { servername: host };
}
