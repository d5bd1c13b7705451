// Dates with a precision, as events, sources and statements record them: an instant that names
// the start of a day, a month or a year, or an exact moment.
import { FieldErrorCode, fieldError, type FieldError } from './writes';

export type DatePrecision = 'EXACT' | 'DAY' | 'MONTH' | 'YEAR';

const MONTHS: Record<DatePrecision, number> = { EXACT: 0, DAY: 0, MONTH: 1, YEAR: 12 };

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

/** The end of the period an instant names at its precision (exclusive); the instant itself when EXACT. */
export function periodEnd(instant: Date, precision: DatePrecision): Date {
  if (precision === 'EXACT') return instant;
  if (precision === 'DAY') return new Date(instant.getTime() + 86_400_000);
  const end = new Date(instant);
  end.setUTCMonth(end.getUTCMonth() + MONTHS[precision]);
  return end;
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
  // The graph records what happened; a date still to come is not yet a fact.
  if (instant.getTime() > Date.now()) return [fieldError(field, FieldErrorCode.INVALID, 'is in the future')];
  return [];
}
