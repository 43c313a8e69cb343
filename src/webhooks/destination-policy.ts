/**
 * Where a webhook may go. Pure rules on a URL or an address, and a `lookup` for net/tls that
 * applies them to every address a host name resolves to (so a name that resolves to a refused
 * address, at registration or only later, is refused when the connection is made).
 *
 * Always refused: credentials in the URL, and link-local hosts (169.254.0.0/16, where cloud
 * metadata services answer, and fe80::/10). With `denyPrivate` also loopback (127.0.0.0/8, ::1,
 * `localhost`), "this host" (0.0.0.0/8, ::) and private ranges (10/8, 172.16/12, 192.168/16,
 * 100.64/10, fc00::/7, fec0::/10). IPv4 ranges are refused in their IPv6 forms as well:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Why a destination is refused. */
export type DestinationRefusal = 'credentials' | 'link-local' | 'private';

/** The 422's `details.reason` for each refusal. */
export const REFUSAL_REASONS: Record<DestinationRefusal, string> = {
  credentials: 'Must not contain credentials (user:password@)',
  'link-local': 'Must not be a link-local address (169.254.0.0/16 or fe80::/10)',
  private: 'Must not be a loopback or private address on this sandbox',
};

/** What a delivery refused at connection time records as its error. */
export const REFUSED_BY_POLICY = 'Refused by policy';

const LINK_LOCAL_V4: Array<[string, number]> = [['169.254.0.0', 16]];
const PRIVATE_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], ['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10],
];

/** An IPv4 subnet in its IPv6 forms: IPv4-mapped, IPv4-compatible and NAT64. */
function addV4(list: BlockList, subnets: Array<[string, number]>): void {
  for (const [network, prefix] of subnets) {
    list.addSubnet(network, prefix, 'ipv4');
    const [a, b, c, d] = network.split('.').map(Number) as [number, number, number, number];
    const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    // BlockList already matches ::ffff:a.b.c.d against IPv4 rules; the other two need their own.
    for (const v6 of [`::${hex}`, `64:ff9b::${hex}`]) list.addSubnet(v6, 96 + prefix, 'ipv6');
  }
}

const linkLocal = new BlockList();
addV4(linkLocal, LINK_LOCAL_V4);
linkLocal.addSubnet('fe80::', 10, 'ipv6');

const privateOrLoopback = new BlockList();
addV4(privateOrLoopback, PRIVATE_V4);
privateOrLoopback.addAddress('::1', 'ipv6');
privateOrLoopback.addAddress('::', 'ipv6');
privateOrLoopback.addSubnet('fc00::', 7, 'ipv6');
privateOrLoopback.addSubnet('fec0::', 10, 'ipv6');

/** Why this IP address (v4 or v6, no brackets) is refused, or undefined. Anything that is not an IP address is not refused here. */
export function addressRefusal(address: string, denyPrivate: boolean): DestinationRefusal | undefined {
  const version = isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (linkLocal.check(address, family)) return 'link-local';
  if (denyPrivate && privateOrLoopback.check(address, family)) return 'private';
  return undefined;
}

/** `localhost` and names under it (RFC 6761), with or without the final dot. */
export function isLocalhostName(hostname: string): boolean {
  return /^(.+\.)?localhost\.?$/i.test(hostname);
}

/**
 * Why a webhook URL is refused, or undefined: credentials, or a host that is an IP address (in
 * any form WHATWG URL parsing turns into one, such as 0xA9FEA9FE) in a refused range, or, with
 * `denyPrivate`, `localhost`. Names that resolve to refused addresses are caught at connection
 * time (`policyLookup`). A URL that does not parse is left to the caller's own check.
 */
export function destinationRefusal(url: string, denyPrivate: boolean): DestinationRefusal | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.username !== '' || parsed.password !== '') return 'credentials';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (denyPrivate && isLocalhostName(host)) return 'private';
  return addressRefusal(host, denyPrivate);
}

/** What a refused connection fails with. */
export class DestinationRefused extends Error {
  readonly code = 'ERR_WEBHOOK_DESTINATION_REFUSED';
  constructor(readonly refusal: DestinationRefusal) {
    super(REFUSED_BY_POLICY);
    this.name = 'DestinationRefused';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** How names are resolved: dns.lookup's shape with `all: true`. */
export type Resolve = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `lookup` for net.connect and tls.connect that resolves every address of the name and fails
 * with DestinationRefused if any of them is refused, so no address of a name that has one is used.
 * It answers in the shape asked for (`all` or one address).
 */
export function policyLookup(denyPrivate: boolean, resolve: Resolve = dnsLookup) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, []);
      if (isLocalhostName(hostname) && denyPrivate) return callback(new DestinationRefused('private'), []);
      for (const { address } of addresses) {
        const refusal = addressRefusal(address, denyPrivate);
        if (refusal !== undefined) return callback(new DestinationRefused(refusal), []);
      }
      if (options.all === true) return callback(null, addresses);
      const [first] = addresses;
      if (first === undefined) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
