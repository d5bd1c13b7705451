import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { TrustedDocument } from './manifest';

/** A first-party document: it ships with the gateway, listed in a manifest file of the build. */
export interface FirstPartyDocument extends TrustedDocument {
  client: string;
}

/**
 * Where the gateway finds a document by its hash: first-party manifests, which ship with the
 * gateway and are read at start-up (the explorer's, from codegen), then the manifests admin keys
 * uploaded, in the gateway's database. Uploads only add: a hash names one document forever, so a
 * document found once is kept in memory (up to `maxCached`), and a page built against an older
 * manifest keeps working after its client uploads a newer one. Misses are not remembered, so an
 * upload is usable on every replica at once; a flood of unknown ids is bounded by the operation
 * quota, which is counted before any lookup.
 */
export class TrustedDocumentStore {
  private readonly cached = new Map<string, string>();
  private readonly firstParty: ReadonlyMap<string, FirstPartyDocument>;

  constructor(
    private readonly prisma: InstanceType<typeof PrismaClient>,
    firstParty: readonly FirstPartyDocument[],
    private readonly maxCached = 10_000,
  ) {
    this.firstParty = new Map(firstParty.map((document) => [document.hash, document]));
  }

  /** True for a client whose manifest ships with the gateway: nobody uploads over it. */
  isFirstParty(client: string): boolean {
    return [...this.firstParty.values()].some((document) => document.client === client);
  }

  /** The text of the document with this hash, or null when no manifest lists it. */
  async find(hash: string): Promise<string | null> {
    const known = this.firstParty.get(hash)?.body ?? this.cached.get(hash);
    if (known !== undefined) return known;
    const row = await this.prisma.trustedDocument.findFirst({ where: { hash }, select: { body: true } });
    if (!row) return null;
    if (this.cached.size >= this.maxCached) this.cached.delete(this.cached.keys().next().value!);
    this.cached.set(hash, row.body);
    return row.body;
  }

  /** Adds a client's documents in one statement (all or nothing); those it already had stay as they were. */
  async add(client: string, documents: readonly TrustedDocument[], uploadedBy: string) {
    const { count } = await this.prisma.trustedDocument.createMany({
      data: documents.map((document) => ({ id: randomUUID(), client, ...document, uploadedBy })),
      skipDuplicates: true,
    });
    return { added: count, alreadyRegistered: documents.length - count };
  }

  /** A client's documents, first-party or uploaded, oldest first. */
  async list(client: string): Promise<Array<{ hash: string; registeredAt: Date | null }>> {
    const shipped = [...this.firstParty.values()]
      .filter((document) => document.client === client)
      .map((document) => ({ hash: document.hash, registeredAt: null }));
    const rows = await this.prisma.trustedDocument.findMany({
      where: { client },
      select: { hash: true, createdAt: true },
      orderBy: [{ createdAt: 'asc' }, { hash: 'asc' }],
    });
    return [...shipped, ...rows.map((row) => ({ hash: row.hash, registeredAt: row.createdAt }))];
  }
}
