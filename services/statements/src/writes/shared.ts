// What the writes of sources, claims and statements share: the two field-error codes only this
// service raises, dates with their precisions, references checked with the services that own
// them, and the refusal of a delete that others still refer to. The convention itself (payloads,
// field errors, ownership, the change log) is the platform's (writes.ts).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PeerClient } from '@newsfacts/platform/peers';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { FieldErrorCode, fieldError, InputRejected, type FieldError } from '@newsfacts/platform/writes';
import { DatePrecision } from '../generated/prisma/enums.ts';

/**
 * The platform's field-error codes and two that only statements raise. FieldError.code is a
 * String in the SDL, whose description lists these two beside the platform's.
 */
export const StatementFieldErrorCode = {
  ...FieldErrorCode,
  /** A statement's quote that is not in its source's text (quote marks and whitespace aside). */
  QUOTE_NOT_IN_SOURCE: 'QUOTE_NOT_IN_SOURCE',
  /** A quote that occurs more than once in its source's text, with no quoteContext or span to pick one. */
  AMBIGUOUS_QUOTE: 'AMBIGUOUS_QUOTE',
} as const;
export type StatementFieldErrorCode = (typeof StatementFieldErrorCode)[keyof typeof StatementFieldErrorCode];

/** A field error with any of this service's codes. */
export function statementFieldError(
  field: Array<string | number>,
  code: StatementFieldErrorCode,
  message: string,
): FieldError {
  // The platform types `code` as its own list, which this service extends; clients read a String.
  return { ...fieldError(field, FieldErrorCode.INVALID, message), code: code as FieldErrorCode };
}

/** Refuses the input when any check failed, with every failure at once. */
export function refuseIfAny(errors: FieldError[]): void {
  if (errors.length) throw new InputRejected(errors);
}

export const enumOf = <Values extends Record<string, string>>(values: Values) =>
  z.enum(Object.values(values) as [Values[keyof Values], ...Array<Values[keyof Values]>]);

export const precision = enumOf(DatePrecision);

const MONTHS: Record<DatePrecision, number> = { EXACT: 0, DAY: 0, MONTH: 1, YEAR: 12 };

/** Whether an instant names the start of its precision's period: midnight UTC of a day, the first of a month, 1 January. */
export function fitsPrecision(instant: Date, datePrecision: DatePrecision): boolean {
  if (datePrecision === 'EXACT') return true;
  const midnight = instant.getTime() % 86_400_000 === 0;
  if (datePrecision === 'DAY') return midnight;
  if (datePrecision === 'MONTH') return midnight && instant.getUTCDate() === 1;
  return midnight && instant.getUTCDate() === 1 && instant.getUTCMonth() === 0;
}

/** The end of the period an instant names at its precision (exclusive); the instant itself when EXACT. */
export function periodEnd(instant: Date, datePrecision: DatePrecision): Date {
  if (datePrecision === 'EXACT') return instant;
  if (datePrecision === 'DAY') return new Date(instant.getTime() + 86_400_000);
  const end = new Date(instant);
  end.setUTCMonth(end.getUTCMonth() + MONTHS[datePrecision]);
  return end;
}

const EXAMPLE: Record<Exclude<DatePrecision, 'EXACT'>, string> = {
  DAY: 'midnight UTC of the day, e.g. 2023-05-23T00:00:00Z',
  MONTH: 'the first of the month at midnight UTC, e.g. 2023-05-01T00:00:00Z',
  YEAR: '1 January at midnight UTC, e.g. 2023-01-01T00:00:00Z',
};

/** What is wrong with a date and its precision, as field errors at `field` (the date's path). */
export function checkDated(field: Array<string | number>, instant: Date, datePrecision: DatePrecision): FieldError[] {
  if (!fitsPrecision(instant, datePrecision)) {
    return [
      fieldError(
        field,
        FieldErrorCode.INVALID,
        `With ${datePrecision} precision the instant is ${EXAMPLE[datePrecision as keyof typeof EXAMPLE]}.`,
      ),
    ];
  }
  if (instant.getTime() > Date.now()) return [fieldError(field, FieldErrorCode.INVALID, 'is in the future')];
  return [];
}

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};

/** A reference to a record another service owns, and where the input gave it. */
export interface ForeignReference {
  field: Array<string | number>;
  id: string;
}

/**
 * Asks the service that owns `typename` whether each referenced record exists. Unknown ones are
 * refused at their field; an owner that cannot be asked refuses the write (SERVICE_UNAVAILABLE)
 * before anything is written. Answers each id as the owner gives it: a merged record's survivor.
 */
export async function confirmForeign(
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  owner: { peer: 'events'; typename: 'Event' } | { peer: 'actors'; typename: 'Actor' },
  references: ForeignReference[],
): Promise<string[]> {
  if (!references.length) return [];
  const data = await peers.query<{ _entities: Array<{ id: string } | null> }>(
    owner.peer,
    `query($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on ${owner.typename} { id } }
    }`,
    { representations: references.map(({ id }) => ({ __typename: owner.typename, id })) },
    principal,
  );
  const what = owner.typename === 'Event' ? 'event' : 'actor';
  refuseIfAny(
    references.flatMap((reference, index) =>
      data._entities[index]?.id
        ? []
        : [
            fieldError(
              reference.field,
              FieldErrorCode.UNKNOWN_REFERENCE,
              `The ${owner.peer} service knows no ${what} with the id ${reference.id}.`,
            ),
          ],
    ),
  );
  return data._entities.map((entity) => entity!.id);
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
