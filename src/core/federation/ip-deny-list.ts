/**
 * The addresses federation must not connect to unless private addresses are allowed: the
 * defaults of Synapse's `ip_range_blacklist` (v1.67.0), which it also applies to the IPv4
 * ranges' IPv4-mapped, IPv4-compatible and 6to4 IPv6 forms. Checked on the address a name
 * resolved to, at connect time, never on the name: a name can resolve anywhere (DNS rebinding).
 */
import { parseIp, type IpAddress } from './ip-address.js';

const DENIED_V4 = [
  '0.0.0.0/8', // "this network": connecting to 0.0.0.0 reaches the local host
  '127.0.0.0/8', // loopback
  '10.0.0.0/8', // private
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10', // carrier-grade NAT
  '192.0.0.0/24', // IETF protocol assignments
  '169.254.0.0/16', // link-local
  '192.88.99.0/24', // formerly 6to4 relay
  '198.18.0.0/15', // benchmarking
  '192.0.2.0/24', // documentation
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and broadcast
];

const DENIED_V6 = [
  '::/128', // unspecified
  '::1/128', // loopback
  'fe80::/10', // link-local
  'fc00::/7', // unique local
  '2001:db8::/32', // documentation
  'ff00::/8', // multicast
  'fec0::/10', // site-local (deprecated)
];

/** Always refused, whatever `allowPrivate` says: no server listens on the unspecified address. */
const ALWAYS_DENIED = ['0.0.0.0/32', '::/128'];

interface Range {
  bytes: Uint8Array;
  prefix: number;
}

function parseRange(cidr: string): Range {
  const [address, prefix] = cidr.split('/');
  return { bytes: (parseIp(address as string) as IpAddress).bytes, prefix: Number(prefix) };
}

const V4_RANGES = DENIED_V4.map(parseRange);
const V6_RANGES = DENIED_V6.map(parseRange);
const ALWAYS_RANGES = ALWAYS_DENIED.map(parseRange);

function inRange(bytes: Uint8Array, range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  for (let bit = 0; bit < range.prefix; bit += 8) {
    const mask = range.prefix - bit >= 8 ? 0xff : (0xff << (8 - (range.prefix - bit))) & 0xff;
    if ((((bytes[bit / 8] as number) ^ (range.bytes[bit / 8] as number)) & mask) !== 0) return false;
  }
  return true;
}

/**
 * The IPv4 address an IPv6 address carries: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
 * (`::a.b.c.d`) or 6to4 (`2002:aabb:ccdd::/48`). A connection to those can reach the IPv4 host.
 */
function embeddedIpv4(bytes: Uint8Array): Uint8Array | undefined {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || (bytes[10] === 0 && bytes[11] === 0))) {
    return bytes.slice(12, 16);
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return undefined;
}

/**
 * Whether federation may connect to `address` (an IPv4 or IPv6 literal, IPv6 without
 * brackets). Text that is not an IP address is refused: only resolved addresses reach here.
 * `allowPrivate` (for test networks and private federations) lifts every range but the
 * unspecified address.
 */
export function isAddressAllowed(address: string, allowPrivate: boolean): boolean {
  const ip = parseIp(address);
  if (ip === undefined) return false;
  const v4 = ip.family === 4 ? ip.bytes : embeddedIpv4(ip.bytes);
  const denied = (ranges: Range[]) => ranges.some((r) => inRange(ip.bytes, r) || (v4 !== undefined && inRange(v4, r)));
  if (denied(ALWAYS_RANGES)) return false;
  if (allowPrivate) return true;
  return !denied(V4_RANGES) && !denied(V6_RANGES);
}
