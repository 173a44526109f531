import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';

/**
 * The counter key for a client address. An IPv6 client usually holds a whole /64, so counting
 * single addresses would let it pick a fresh one per request: it is counted per /64 instead.
 * A request with no known address shares one bucket rather than escaping the limits.
 */
export function addressKey(ip: string | null): string {
  if (!ip) return 'unknown';
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')
    .concat('::/64');
}

/**
 * The counter key for an email or login name: hashed, so the limit store (possibly a shared
 * Redis) holds no list of addresses people typed, and a long input makes a short key.
 */
export const identityKey = (value: string): string =>
  createHash('sha256').update(value.trim().toLowerCase()).digest('base64url').slice(0, 32);
