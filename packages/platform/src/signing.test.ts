import { describe, expect, it } from 'vitest';
import { PRINCIPAL_HEADER, SIGNATURE_HEADER, signRequest, verifyRequest } from './signing';

const secret = 'a-shared-secret-of-at-least-32-characters';
const principal = { kind: 'key' as const, keyId: 'key_0123456789ab', scopes: ['READ' as const] };
const body = '{"query":"{ _service { sdl } }"}';

function verify(headers: Record<string, string>, sentBody = body, now = Date.now(), audience = 'actors') {
  return verifyRequest(
    secret,
    audience,
    { signature: headers[SIGNATURE_HEADER], principal: headers[PRINCIPAL_HEADER] },
    Buffer.from(sentBody),
    now,
  );
}

describe('request signatures', () => {
  it('accept what the gateway signed and return its principal', () => {
    expect(verify(signRequest(secret, 'actors', principal, body))).toEqual({ ok: true, principal });
  });

  it('refuse a changed body, a changed principal, another secret, or no signature', () => {
    const headers = signRequest(secret, 'actors', principal, body);
    expect(verify(headers, body.replace('sdl', 'sdl __typename'))).toEqual({ ok: false, reason: 'bad signature' });
    const admin = signRequest(secret, 'actors', { ...principal, scopes: ['READ', 'ADMIN'] }, body)[PRINCIPAL_HEADER];
    expect(verify({ ...headers, [PRINCIPAL_HEADER]: admin })).toEqual({ ok: false, reason: 'bad signature' });
    expect(verify(signRequest('another-secret-of-at-least-32-characters!', 'actors', principal, body))).toEqual({
      ok: false,
      reason: 'bad signature',
    });
    expect(verify({})).toEqual({ ok: false, reason: 'unsigned request' });
  });

  it('refuse a request signed for another subgraph (a replay elsewhere)', () => {
    expect(verify(signRequest(secret, 'events', principal, body))).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('refuse a signature older than five minutes (a replay)', () => {
    const signedAt = Date.now();
    const headers = signRequest(secret, 'actors', principal, body, signedAt);
    expect(verify(headers, body, signedAt + 299_000).ok).toBe(true);
    expect(verify(headers, body, signedAt + 301_000)).toEqual({ ok: false, reason: 'signature expired' });
  });
});
