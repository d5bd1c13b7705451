import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { z } from 'zod';

// The gateway signs every request it sends to a subgraph, and subgraphs answer only signed
// requests: HMAC-SHA256 over a timestamp, the subgraph it is meant for, the forwarded
// principal and the exact body bytes, with a secret the two share. A client cannot reach a subgraph around the gateway's checks,
// nor forge the principal the gateway vouches for.

export const SIGNATURE_HEADER = 'x-newsfacts-signature';
export const PRINCIPAL_HEADER = 'x-newsfacts-principal';
/**
 * Asks a subgraph with read replicas to read from its primary: set by the gateway for a caller
 * that has just written (read-your-writes), and by every check one service makes of another.
 */
export const READ_PRIMARY_HEADER = 'x-newsfacts-read-primary';
/** How old a signature may be, against replays of captured requests. */
export const SIGNATURE_MAX_AGE_SECONDS = 300;
export const MIN_SECRET_LENGTH = 32;

export const forwardedPrincipalSchema = z.object({
  kind: z.enum(['key', 'anonymous']),
  keyId: z.string().max(64).optional(),
  scopes: z.array(z.enum(['READ', 'WRITE', 'EXPLORE', 'ADMIN'])),
});
/** Who the gateway let in: an API key's id and scopes, or an anonymous caller's scopes. */
export type ForwardedPrincipal = z.infer<typeof forwardedPrincipalSchema>;

export const encodePrincipal = (principal: ForwardedPrincipal) =>
  Buffer.from(JSON.stringify(principal), 'utf8').toString('base64url');

/**
 * HMAC-SHA256 (RFC 2104) with the key's inner and outer hashes started once per secret and
 * copied for each message: the same MAC as createHmac, without setting up a key every request.
 */
const keyedHashes = new Map<string, { inner: Hash; outer: Hash }>();

function keyedHashesOf(secret: string) {
  let keyed = keyedHashes.get(secret);
  if (!keyed) {
    const BLOCK = 64;
    let key: Buffer = Buffer.from(secret, 'utf8');
    if (key.length > BLOCK) key = createHash('sha256').update(key).digest();
    const padded = Buffer.alloc(BLOCK);
    key.copy(padded);
    const pad = (byte: number) => Buffer.from(padded.map((value) => value ^ byte));
    keyed = { inner: createHash('sha256').update(pad(0x36)), outer: createHash('sha256').update(pad(0x5c)) };
    // A process knows one or two secrets; the bound only guards against misuse.
    if (keyedHashes.size > 16) keyedHashes.clear();
    keyedHashes.set(secret, keyed);
  }
  return keyed;
}

function mac(secret: string, timestamp: number, audience: string, principal: string, body: string | Buffer): string {
  const { inner, outer } = keyedHashesOf(secret);
  const digest = inner.copy().update(`${timestamp}.${audience}.${principal}.`).update(body).digest();
  return outer.copy().update(digest).digest('hex');
}

/**
 * The signature header's value for a request to the subgraph `audience` carrying
 * `encodedPrincipal` and `body`. Naming the audience keeps a request captured on its way to
 * one subgraph from being replayed to another.
 */
export function signature(
  secret: string,
  audience: string,
  encodedPrincipal: string,
  body: string | Buffer,
  now = Date.now(),
): string {
  const timestamp = Math.floor(now / 1000);
  return `t=${timestamp},v1=${mac(secret, timestamp, audience, encodedPrincipal, body)}`;
}

/** The headers that let a subgraph trust a request: the principal and the signature. */
export function signRequest(
  secret: string,
  audience: string,
  principal: ForwardedPrincipal,
  body: string,
  now = Date.now(),
) {
  const encoded = encodePrincipal(principal);
  return { [PRINCIPAL_HEADER]: encoded, [SIGNATURE_HEADER]: signature(secret, audience, encoded, body, now) };
}

export type Verification = { ok: true; principal: ForwardedPrincipal } | { ok: false; reason: string };

/** Checks a request's signature, meant for `audience`, against its raw body; never throws. */
export function verifyRequest(
  secret: string,
  audience: string,
  headers: { signature?: string; principal?: string },
  body: Buffer,
  now = Date.now(),
): Verification {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(headers.signature ?? '');
  if (!match || headers.principal === undefined) return { ok: false, reason: 'unsigned request' };
  const timestamp = Number(match[1]);
  if (Math.abs(now / 1000 - timestamp) > SIGNATURE_MAX_AGE_SECONDS) return { ok: false, reason: 'signature expired' };
  const expected = Buffer.from(mac(secret, timestamp, audience, headers.principal, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) return { ok: false, reason: 'bad signature' };
  const known = principals.get(headers.principal);
  if (known) return { ok: true, principal: known };
  try {
    const principal = Object.freeze(
      forwardedPrincipalSchema.parse(JSON.parse(Buffer.from(headers.principal, 'base64url').toString('utf8'))),
    );
    if (principals.size >= MAX_KNOWN_PRINCIPALS) principals.clear();
    principals.set(headers.principal, principal);
    return { ok: true, principal };
  } catch {
    return { ok: false, reason: 'malformed principal' };
  }
}

/** Principals already decoded and checked, by their header (a signed header always decodes alike). */
const principals = new Map<string, ForwardedPrincipal>();
const MAX_KNOWN_PRINCIPALS = 10_000;
