// What the writes of events and places share: dates with their precisions, records of this
// service named by id or slug, references checked with the services that own them, slugs, and
// the refusal of a delete that others still refer to. The convention itself (payloads, field
// errors, ownership, the change log) is the platform's (writes.ts).
import { z } from 'zod';
import type { PeerClient } from '@newsfacts/platform/peers';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import {
  FieldErrorCode,
  fieldError,
  inputRules,
  InputRejected,
  rejectInput,
  slugify,
  type FieldError,
} from '@newsfacts/platform/writes';
import type { DatePrecision } from '../generated/prisma/enums.ts';

export const enumOf = <Values extends Record<string, string>>(values: Values, message?: string) =>
  z.enum(
    Object.values(values) as [Values[keyof Values], ...Array<Values[keyof Values]>],
    message ? { message } : undefined,
  );

/** A record of this service named by its id or its slug. */
export const recordKey = z.string().trim().min(1, { message: 'an id or a slug' }).max(200);

export const isId = (key: string) => inputRules.id.safeParse(key).success;

/** Refuses the input when any check failed, with every failure at once. */
export function refuseIfAny(errors: FieldError[]): void {
  if (errors.length) throw new InputRejected(errors);
}

const EXAMPLE: Record<Exclude<DatePrecision, 'EXACT'>, string> = {
  DAY: 'midnight UTC of the day, e.g. 2023-05-22T00:00:00Z',
  MONTH: 'the first of the month at midnight UTC, e.g. 2023-05-01T00:00:00Z',
  YEAR: '1 January at midnight UTC, e.g. 2023-01-01T00:00:00Z',
};

/** Whether an instant names the start of its precision's period: midnight UTC of a day, the first of a month, 1 January. */
export function fitsPrecision(instant: Date, precision: DatePrecision): boolean {
  if (precision === 'EXACT') return true;
  const midnight = instant.getTime() % 86_400_000 === 0;
  if (precision === 'DAY') return midnight;
  if (precision === 'MONTH') return midnight && instant.getUTCDate() === 1;
  return midnight && instant.getUTCDate() === 1 && instant.getUTCMonth() === 0;
}

/** What is wrong with one date at a precision, as field errors at `field`. */
export function checkDate(field: Array<string | number>, instant: Date, precision: DatePrecision): FieldError[] {
  if (!fitsPrecision(instant, precision)) {
    return [
      fieldError(
        field,
        FieldErrorCode.INVALID,
        `With ${precision} precision the instant is ${EXAMPLE[precision as keyof typeof EXAMPLE]}.`,
      ),
    ];
  }
  // The graph records what happened; an event still to come is not yet a fact.
  if (instant.getTime() > Date.now()) return [fieldError(field, FieldErrorCode.INVALID, 'is in the future')];
  return [];
}

/** The rows of one table that a batch of keys (ids or slugs) name. */
export type RowsByKey<Row> = (ids: string[], slugs: string[]) => Promise<Row[]>;

/**
 * Resolves records of this service named by id or slug, each at its field: the rows found, in
 * input order, and an UNKNOWN_REFERENCE error for each key that names nothing.
 */
export async function resolveKeys<Row extends { id: string; slug: string }>(
  find: RowsByKey<Row>,
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

/** A reference to a record another service owns, and where the input gave it. */
export interface ForeignReference {
  field: Array<string | number>;
  id: string;
}

export const ACTORS = { peer: 'actors', typename: 'Actor', what: 'actor' } as const;
export const CLAIMS = { peer: 'statements', typename: 'Claim', what: 'claim' } as const;

/**
 * Asks the service that owns the records whether each one exists: an unknown one is an
 * UNKNOWN_REFERENCE error at its field; an owner that cannot be asked refuses the write
 * (SERVICE_UNAVAILABLE) before anything is written. Gives each id as the owner answers it, so a
 * merged actor's id becomes its survivor's.
 */
export async function confirmForeign(
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  owner: typeof ACTORS | typeof CLAIMS,
  references: ForeignReference[],
): Promise<{ ids: string[]; errors: FieldError[] }> {
  if (!references.length) return { ids: [], errors: [] };
  const asked = [...new Set(references.map((reference) => reference.id))];
  const data = await peers.query<{ _entities: Array<{ id: string } | null> }>(
    owner.peer,
    `query($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on ${owner.typename} { id } }
    }`,
    { representations: asked.map((id) => ({ __typename: owner.typename, id })) },
    principal,
  );
  const answered = new Map(asked.map((id, index) => [id, data._entities[index]?.id]));
  const errors = references.flatMap((reference) =>
    answered.get(reference.id)
      ? []
      : [
          fieldError(
            reference.field,
            FieldErrorCode.UNKNOWN_REFERENCE,
            `The ${owner.peer} service knows no ${owner.what} with the id ${reference.id}.`,
          ),
        ],
  );
  return { ids: references.map((reference) => answered.get(reference.id) ?? reference.id), errors };
}

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

export const isUniqueViolation = (error: unknown) => prismaCode(error) === 'P2002';
export const isForeignKeyViolation = (error: unknown) => prismaCode(error) === 'P2003';
