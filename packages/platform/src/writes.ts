// The write convention every subgraph follows: one `input` argument, a payload holding the
// record (null when refused) and `errors`, field-level problems a program can act on. A refused
// input is not a GraphQL error: the request worked, the data did not pass. Who may write is
// checked here on the principal the gateway signed, so no route around the gateway skips it.
import { z } from 'zod';
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
