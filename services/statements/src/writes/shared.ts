// What only the statements service's writes share: its date precisions as a zod enum, a text's
// SHA-256, and the URL check. The convention itself (payloads, field errors, ownership, the
// change log, references across services) is the platform's.
import { createHash } from 'node:crypto';
import { enumOf } from '@newsfacts/platform/writes';
import { DatePrecision } from '../generated/prisma/enums.ts';

export const precision = enumOf(DatePrecision);

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};
