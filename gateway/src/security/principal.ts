import net from 'node:net';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import type { Quota } from '../config';
import type { Scope } from '../keys/store';

/**
 * Who is calling: an API key (a partner's, or a browser key, which has origins and can only read),
 * or an anonymous caller known by IP.
 */
export type Principal =
  | { kind: 'key'; keyId: string; name: string; scopes: Scope[]; quota: Quota; browser: boolean }
  | { kind: 'anonymous'; ip: string; scopes: Scope[]; quota: Quota };

/**
 * The address quotas are counted against: an IPv4 address as it is, an IPv6 address by its
 * /64 network, which one subscriber usually holds whole (counting each of its 2^64 addresses
 * apart would give that subscriber unlimited quota).
 */
export function addressBucket(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!net.isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/** What quotas are counted against. */
export const quotaSubject = (principal: Principal) =>
  principal.kind === 'key' ? `key:${principal.keyId}` : `ip:${principal.ip}`;

/** The part of a principal the gateway vouches for to subgraphs. */
export const toForwarded = (principal: Principal): ForwardedPrincipal =>
  principal.kind === 'key'
    ? { kind: 'key', keyId: principal.keyId, scopes: principal.scopes }
    : { kind: 'anonymous', scopes: principal.scopes };

/** Callers who may be held to trusted documents (REQUIRE_TRUSTED_DOCUMENTS): anyone but a partner key. */
export const isPublicClient = (principal: Principal) => principal.kind === 'anonymous' || principal.browser;
