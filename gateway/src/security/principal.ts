import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import type { Quota } from '../config';
import type { Scope } from '../keys/store';

/** Who is calling: a partner's API key, or an anonymous caller known by IP. */
export type Principal =
  | { kind: 'key'; keyId: string; name: string; scopes: Scope[]; quota: Quota }
  | { kind: 'anonymous'; ip: string; scopes: Scope[]; quota: Quota };

/** What quotas are counted against. */
export const quotaSubject = (principal: Principal) =>
  principal.kind === 'key' ? `key:${principal.keyId}` : `ip:${principal.ip}`;

/** The part of a principal the gateway vouches for to subgraphs. */
export const toForwarded = (principal: Principal): ForwardedPrincipal =>
  principal.kind === 'key'
    ? { kind: 'key', keyId: principal.keyId, scopes: principal.scopes }
    : { kind: 'anonymous', scopes: principal.scopes };

export const describePrincipal = (principal: Principal) =>
  principal.kind === 'key' ? `API key ${principal.keyId}` : 'anonymous access';
