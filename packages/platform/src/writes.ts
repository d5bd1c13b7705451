// The write convention every subgraph follows: one `input` argument, a payload holding the
// record (null when refused) and `errors`, field-level problems a program can act on. A refused
// input is not a GraphQL error: the request worked, the data did not pass. Who may write is
// checked here on the principal the gateway signed, so no route around the gateway skips it.
import { z } from 'zod';
import { noticeChange } from './change-notices';
import { codedError, ErrorCode } from './errors';
import type { ForwardedPrincipal } from './signing';
import { raw, sql } from './sql';

/** What is wrong with one field; a program switches on these. */
export const FieldErrorCode = {
  /** Malformed or out of range: the message says what is allowed. */
  INVALID: 'INVALID',
  /** Longer than its limit. */
  TOO_LONG: 'TOO_LONG',
  /** Names a record that does not exist (or the service that owns it says so). */
  UNKNOWN_REFERENCE: 'UNKNOWN_REFERENCE',
  /** The record to change does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** Already used by another record (a slug, an alias of the same actor). */
  TAKEN: 'TAKEN',
  /** A repeat create with the same externalId but other fields. */
  CONFLICT: 'CONFLICT',
  /** Deleting a record others still refer to. */
  REFERENCED: 'REFERENCED',
  /** A statement's quote that is not in its source's text (quote marks and whitespace aside). */
  QUOTE_NOT_IN_SOURCE: 'QUOTE_NOT_IN_SOURCE',
  /** A quote found more than once in its source's text, with nothing given to pick one. */
  AMBIGUOUS_QUOTE: 'AMBIGUOUS_QUOTE',
  /** A fact package's name that could mean more than one record: the import lists the candidates. */
  AMBIGUOUS_NAME: 'AMBIGUOUS_NAME',
  /** A fact package's reference to another of its records that was not imported (rejected or ambiguous). */
  NOT_IMPORTED: 'NOT_IMPORTED',
  /** The key may not make this change (a record another key contributed). */
  FORBIDDEN: 'FORBIDDEN',
  /** A webhook URL whose host resolves to a loopback, private, link-local or metadata address. */
  BLOCKED_ADDRESS: 'BLOCKED_ADDRESS',
} as const;
export type FieldErrorCode = (typeof FieldErrorCode)[keyof typeof FieldErrorCode];

export interface FieldError {
  /** The path to the offending field from the argument, e.g. ["input", "aliases", "3", "name"]. */
  field: string[];
  code: FieldErrorCode;
  message: string;
}

export const fieldError = (field: Array<string | number>, code: FieldErrorCode, message: string): FieldError => ({
  field: field.map(String),
  code,
  message,
});

/** Thrown inside a write to refuse its input: the transaction rolls back and the payload carries the errors. */
export class InputRejected extends Error {
  override name = 'InputRejected';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((error) => `${error.field.join('.')}: ${error.code}`).join('; '));
  }
}

/** Refuses the input when any check failed, with every failure at once. */
export function refuseIfAny(errors: FieldError[]): void {
  if (errors.length) throw new InputRejected(errors);
}

export const rejectInput = (field: Array<string | number>, code: FieldErrorCode, message: string): never => {
  throw new InputRejected([fieldError(field, code, message)]);
};

/** Parses a mutation's input against its schema; every problem becomes a field error under `input`. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InputRejected(
    result.error.issues.map((issue) =>
      fieldError(
        ['input', ...issue.path.map(String)],
        issue.code === 'too_big' && issue.origin === 'string' ? FieldErrorCode.TOO_LONG : FieldErrorCode.INVALID,
        issue.message,
      ),
    ),
  );
}

export type Payload<Name extends string, Record> = { [key in Name]: Record | null } & { errors: FieldError[] };

/**
 * Runs a mutation and shapes its payload: the record under `name`, or null and the errors when
 * the input was refused. Anything else (FORBIDDEN, an outage, a bug) stays a GraphQL error.
 */
export async function payload<Name extends string, Record>(
  name: Name,
  write: () => Promise<Record>,
): Promise<Payload<Name, Record>> {
  try {
    return { [name]: await write(), errors: [] } as Payload<Name, Record>;
  } catch (error) {
    if (error instanceof InputRejected) return { [name]: null, errors: error.errors } as Payload<Name, Record>;
    throw error;
  }
}

/** Who a write is recorded as: the key's id. Mutations already need the write scope (subgraph.ts). */
export function writerOf(principal: ForwardedPrincipal | null): string {
  if (principal?.kind !== 'key' || !principal.keyId || !principal.scopes.includes('WRITE')) {
    throw codedError(ErrorCode.FORBIDDEN, 'Changing data needs an API key with the write scope.');
  }
  return principal.keyId;
}

/** A key changes only what it contributed; an admin (editor's) key changes anything. */
export function assertMayChange(
  principal: ForwardedPrincipal | null,
  record: { createdBy: string },
  what: string,
): string {
  const writer = writerOf(principal);
  if (record.createdBy !== writer && !principal!.scopes.includes('ADMIN')) {
    throw codedError(
      ErrorCode.FORBIDDEN,
      `${what} was contributed by another key; only that key or an admin key may change it.`,
    );
  }
  return writer;
}

export type ChangeOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'MERGE';

export interface Change {
  entityType: string;
  entityId: string;
  operation: ChangeOperation;
  /** The writer's key id, or `seed`. */
  by: string;
  /** The fields the write set or changed (for a delete, none). */
  fields: string[];
  /** For a merge: the record the entity was folded into. */
  survivorId?: string;
}

/** What recordChange needs of a Prisma client or transaction. */
export interface RawExecutor {
  $executeRaw(query: ReturnType<typeof sql>): PromiseLike<number>;
}

/**
 * Appends a write to its service's change log. Call it inside the write's own transaction, so
 * that a change is logged exactly when it commits: the sync feed publishes this log.
 */
export function recordChange(tx: RawExecutor, change: Change): PromiseLike<number> {
  // Noted before it commits: a change that rolls back costs a cache an answer, one missed costs a stale read.
  noticeChange({
    entityType: change.entityType,
    entityId: change.entityId,
    operation: change.operation,
    fields: change.fields,
    survivorId: change.survivorId ?? null,
  });
  const operation = sql`${change.operation}::${raw('"ChangeOperation"')}`;
  return tx.$executeRaw(
    change.survivorId
      ? sql`INSERT INTO "Change" ("entityType", "entityId", operation, "by", fields, "survivorId")
            VALUES (${change.entityType}, ${change.entityId}::uuid, ${operation}, ${change.by}, ${change.fields}::text[],
                    ${change.survivorId}::uuid)`
      : sql`INSERT INTO "Change" ("entityType", "entityId", operation, "by", fields)
            VALUES (${change.entityType}, ${change.entityId}::uuid, ${operation}, ${change.by}, ${change.fields}::text[])`,
  );
}

/** The fields whose values differ between a record and the values a write gives (undefined: not given). */
export function changedFields<Row extends object>(row: Row, given: Partial<Row>): string[] {
  return Object.entries(given)
    .filter(([field, value]) => value !== undefined && !sameValue(row[field as keyof Row], value))
    .map(([field]) => field);
}

const sameValue = (a: unknown, b: unknown) =>
  a instanceof Date || b instanceof Date
    ? new Date(a as Date).getTime() === new Date(b as Date).getTime()
    : JSON.stringify(a) === JSON.stringify(b);

/** A slug from a name: lower case, accents and punctuation gone, words joined by hyphens. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
}

/** Input field rules shared by every subgraph's writes. */
export const inputRules = {
  slug: z
    .string()
    .max(80)
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'lower-case letters, digits and single hyphens, e.g. kyiv-desk' }),
  externalId: z.string().min(1).max(200),
  name: z.string().trim().min(1, { message: 'must not be empty' }).max(300),
  text: (max: number) => z.string().trim().min(1, { message: 'must not be empty' }).max(max),
  countryCode: z.string().regex(/^[A-Z]{2}$/, { message: 'a two-letter ISO 3166-1 code in capitals, e.g. UA' }),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: 'a BCP 47 language tag, e.g. uk or ru-Latn' }),
  id: z.string().uuid({ message: 'must be an id (a UUID)' }),
};

/** A zod enum of a generated enum object's values. */
export const enumOf = <Values extends Record<string, string>>(values: Values, message?: string) =>
  z.enum(
    Object.values(values) as [Values[keyof Values], ...Array<Values[keyof Values]>],
    message ? { message } : undefined,
  );

/** A record of this service named by its id or its slug. */
export const recordKey = z.string().trim().min(1, { message: 'an id or a slug' }).max(200);

export const isId = (key: string) => inputRules.id.safeParse(key).success;

/**
 * Resolves records of this service named by id or slug, each at its field: the rows found, in
 * input order, and an UNKNOWN_REFERENCE error for each key that names nothing.
 */
export async function resolveKeys<Row extends { id: string; slug: string }>(
  find: (ids: string[], slugs: string[]) => Promise<Row[]>,
  what: string,
  references: Array<{ field: Array<string | number>; key: string }>,
): Promise<{ rows: Array<Row | undefined>; errors: FieldError[] }> {
  if (!references.length) return { rows: [], errors: [] };
  const keys = references.map((reference) => reference.key);
  const found = await find(keys.filter(isId), keys);
  const rows = keys.map((key) => found.find((row) => row.id === key || row.slug === key));
  const errors = references.flatMap((reference, index) =>
    rows[index]
      ? []
      : [
          fieldError(
            reference.field,
            FieldErrorCode.UNKNOWN_REFERENCE,
            `No ${what} has the id or slug "${reference.key}".`,
          ),
        ],
  );
  return { rows, errors };
}

/** What chooseSlug needs to know of a table's slugs. */
export interface SlugTable {
  holderOf(slug: string): Promise<{ id: string } | null>;
  startingWith(base: string): Promise<Array<{ slug: string }>>;
}

/** The slug asked for when free; made from the name otherwise, numbered past those taken. */
export async function chooseSlug(
  table: SlugTable,
  asked: string | null | undefined,
  name: string,
  fallback: string,
  exceptId?: string,
): Promise<string> {
  if (asked) {
    const holder = await table.holderOf(asked);
    if (holder && holder.id !== exceptId)
      rejectInput(['input', 'slug'], FieldErrorCode.TAKEN, `The slug "${asked}" is taken.`);
    return asked;
  }
  const base = slugify(name) || fallback;
  const taken = new Set((await table.startingWith(base)).map((row) => row.slug));
  for (let n = 1; ; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(slug)) return slug;
  }
}

/** A record that refers to another: what it is, its id, and which service holds it. */
export interface Referrer {
  type: string;
  id: string;
  service: string;
}

/** A delete refused because other records still refer to the one to delete; the payload lists them. */
export class StillReferenced extends InputRejected {
  constructor(
    readonly referrers: Referrer[],
    what: string,
    advice: string,
  ) {
    super([
      fieldError(
        ['input', 'id'],
        FieldErrorCode.REFERENCED,
        `The ${what} is still referred to (${[...new Set(referrers.map((referrer) => referrer.type))].join(', ')}: ` +
          `see referrers); ${advice}`,
      ),
    ]);
  }
}

const prismaCode = (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;

/** Prisma's unique-constraint violation: two writes raced for one key. */
export const isUniqueViolation = (error: unknown) => prismaCode(error) === 'P2002';
/** Prisma's foreign-key violation: a row referred to went away meanwhile. */
export const isForeignKeyViolation = (error: unknown) => prismaCode(error) === 'P2003';

export interface CreateOnce<Row extends { id: string }> {
  /** What is created, for messages: `place`, `claim`. */
  what: string;
  externalId: string | null | undefined;
  /** The record the writer already created with this externalId, if any. */
  findByExternalId(externalId: string): Promise<Row | null>;
  /** Whether that record is what this create asks for (a retry), rather than other values. */
  isSameAs(existing: Row): boolean;
  /** Makes the record: its checks across services, then one transaction with its change-log entry. */
  create(): Promise<Row>;
  /** What another unique violation means (a slug taken meanwhile); rethrown when not given. */
  onTaken?(): never;
}

/**
 * A create that a retry cannot repeat: with an externalId, the record the first attempt made is
 * returned (or the create refused as CONFLICT when its values differ), and two attempts racing
 * each other end with one record, the loser answering as a retry.
 */
export async function createOnce<Row extends { id: string }>(spec: CreateOnce<Row>): Promise<Row> {
  const repeat = async () => {
    if (!spec.externalId) return null;
    const existing = await spec.findByExternalId(spec.externalId);
    if (existing && !spec.isSameAs(existing)) {
      rejectInput(
        ['input', 'externalId'],
        FieldErrorCode.CONFLICT,
        `Your key already created ${spec.what} ${existing.id} with this externalId and other values.`,
      );
    }
    return existing;
  };
  const existing = await repeat();
  if (existing) return existing;
  try {
    return await spec.create();
  } catch (error) {
    // A twin that committed first (its slug taken, its id too) makes this create a retry of it.
    const winner = await repeat();
    if (winner) return winner;
    if (isUniqueViolation(error)) spec.onTaken?.();
    throw error;
  }
}

/** The slug was taken between choosing it and writing it. */
export const slugTakenMeanwhile = (): never =>
  rejectInput(['input', 'slug'], FieldErrorCode.TAKEN, 'The slug was taken meanwhile; try again.');

/** A delete's payload: the id deleted, or null with the errors and, when others still refer to it, who. */
export async function deletionPayload(
  remove: () => Promise<string>,
): Promise<{ deletedId: string | null; referrers: Referrer[]; errors: FieldError[] }> {
  try {
    return { deletedId: await remove(), referrers: [], errors: [] };
  } catch (error) {
    if (!(error instanceof InputRejected)) throw error;
    return {
      deletedId: null,
      referrers: error instanceof StillReferenced ? error.referrers : [],
      errors: error.errors,
    };
  }
}

/** Merges need an admin (editor's) key; so do the follow-up writes a merge makes in other services. */
export function adminWriterOf(principal: ForwardedPrincipal | null, what: string): string {
  const writer = writerOf(principal);
  if (!principal!.scopes.includes('ADMIN'))
    throw codedError(ErrorCode.FORBIDDEN, `${what} needs an admin (editor) key.`);
  return writer;
}
