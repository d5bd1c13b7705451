import { createHash, randomUUID } from 'node:crypto';

// The project's UUIDv5 namespace. Seed records get ids derived from their kind and slug, so
// every service, test and re-run of the seed agrees on them without sharing a database.
const NAMESPACE = Buffer.from('5c2f8e0e6f7a4b1f9a3d2b8c7e6f5a41', 'hex');

/** A name-based (version 5, RFC 9562) UUID: the same name always gives the same id. */
export function uuidFromName(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The id of a new record. One created with an externalId gets an id derived from its kind, its
 * writer and that externalId: a retry, or a twin racing it, collides on the primary key instead
 * of making a second record, and an importer knows the id before the record exists.
 */
export function newRecordId(kind: string, writer: string, externalId: string | null | undefined): string {
  return externalId ? uuidFromName(`${kind}:${writer}:${externalId}`) : randomUUID();
}
