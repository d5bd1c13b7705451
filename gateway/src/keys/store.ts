import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { ApiKey, PrismaClient, Scope } from '../generated/prisma/client.ts';
import { generateKey, hashKey, newKeyId } from './format';

export type { ApiKey, Scope };
export const SCOPES: readonly Scope[] = ['READ', 'WRITE', 'EXPLORE', 'ADMIN'];

export interface NewKey {
  name: string;
  scopes: Scope[];
  operationsPerMinute?: number | null;
  costPerMinute?: number | null;
  /** Makes it a browser key: usable only from these origins (already validated), and only to read. */
  origins?: string[];
}

export class KeyNotFoundError extends Error {
  override name = 'KeyNotFoundError';
}

/** Why a key that exists cannot be used, or null when it can. */
export function unusableReason(key: ApiKey, now = new Date()): string | null {
  if (key.revokedAt) return 'the API key was revoked';
  if (key.expiresAt && key.expiresAt <= now) return 'the API key was rotated and its grace period has ended';
  return null;
}

/** API key records in the gateway's database. */
export class KeyStore {
  constructor(private readonly prisma: InstanceType<typeof PrismaClient>) {}

  /** Creates a key and returns it with the only copy of its secret. */
  async create(input: NewKey): Promise<{ record: ApiKey; key: string }> {
    const key = generateKey();
    const record = await this.prisma.apiKey.create({
      data: {
        id: randomUUID(),
        keyId: newKeyId(),
        name: input.name,
        secretHash: hashKey(key),
        hint: key.slice(-4),
        scopes: [...new Set(input.scopes)],
        operationsPerMinute: input.operationsPerMinute ?? null,
        costPerMinute: input.costPerMinute ?? null,
        origins: [...new Set(input.origins ?? [])],
      },
    });
    return { record, key };
  }

  list(): Promise<ApiKey[]> {
    return this.prisma.apiKey.findMany({ orderBy: [{ createdAt: 'asc' }, { keyId: 'asc' }] });
  }

  /** The record of a presented key, found by its hash and compared in constant time. */
  async findByKey(key: string): Promise<ApiKey | null> {
    const hash = hashKey(key);
    const record = await this.prisma.apiKey.findUnique({ where: { secretHash: hash } });
    if (!record) return null;
    return timingSafeEqual(Buffer.from(record.secretHash), Buffer.from(hash)) ? record : null;
  }

  async revoke(keyId: string, now = new Date()): Promise<ApiKey> {
    const existing = await this.require(keyId);
    if (existing.revokedAt) return existing;
    return this.prisma.apiKey.update({ where: { keyId }, data: { revokedAt: now } });
  }

  /**
   * Issues a successor with the same name, scopes, quotas and origins; the old key keeps working for
   * `graceMs` so that a partner can deploy the new one without downtime.
   */
  async rotate(
    keyId: string,
    graceMs: number,
    now = new Date(),
  ): Promise<{ previous: ApiKey; record: ApiKey; key: string }> {
    const existing = await this.require(keyId);
    const reason = unusableReason(existing, now);
    if (reason) throw new KeyNotFoundError(`${keyId} cannot be rotated: ${reason}`);
    if (existing.replacedById) throw new KeyNotFoundError(`${keyId} was already rotated; rotate its successor instead`);
    const key = generateKey();
    return this.prisma.$transaction(async (tx) => {
      const record = await tx.apiKey.create({
        data: {
          id: randomUUID(),
          keyId: newKeyId(),
          name: existing.name,
          secretHash: hashKey(key),
          hint: key.slice(-4),
          scopes: existing.scopes,
          operationsPerMinute: existing.operationsPerMinute,
          costPerMinute: existing.costPerMinute,
          origins: existing.origins,
        },
      });
      const previous = await tx.apiKey.update({
        where: { keyId },
        data: { expiresAt: new Date(now.getTime() + graceMs), replacedById: record.id },
      });
      return { previous, record, key };
    });
  }

  private async require(keyId: string): Promise<ApiKey> {
    const record = await this.prisma.apiKey.findUnique({ where: { keyId } });
    if (!record) throw new KeyNotFoundError(`no API key with id ${keyId}`);
    return record;
  }
}
