import { createHash, randomBytes, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

// API keys look like GitHub's tokens: a recognisable prefix, a random part, and a checksum.
//   nfk_<32 base62 characters, ~190 bits>_<6 base62 characters of CRC-32>
// The prefix makes a leaked key easy to spot (and to scan for); the checksum lets the gateway
// refuse a mistyped or made-up key without touching the database.

export const KEY_PREFIX = 'nfk';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = new RegExp(`^${KEY_PREFIX}_([0-9A-Za-z]{${RANDOM_LENGTH}})_([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`);

function base62(value: number, length: number): string {
  let text = '';
  for (let rest = value; text.length < length; rest = Math.floor(rest / 62)) text = BASE62[rest % 62] + text;
  return text;
}

function checksum(body: string): string {
  return base62(crc32(body), CHECKSUM_LENGTH);
}

/** A new key. Show it once; store only `hashKey(key)`. */
export function generateKey(): string {
  let random = '';
  while (random.length < RANDOM_LENGTH) random += BASE62[randomInt(62)];
  const body = `${KEY_PREFIX}_${random}`;
  return `${body}_${checksum(body)}`;
}

/** Why a presented string is not a key, or null when it is well formed. */
export function malformedKeyReason(candidate: string): string | null {
  const match = KEY_PATTERN.exec(candidate);
  if (!match) return `an API key looks like ${KEY_PREFIX}_<32 letters and digits>_<6 letters and digits>`;
  if (checksum(`${KEY_PREFIX}_${match[1]}`) !== match[2])
    return 'the API key is mistyped (its checksum does not match)';
  return null;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The non-secret id a key is listed and logged under. */
export function newKeyId(): string {
  return `key_${randomBytes(6).toString('hex')}`;
}
