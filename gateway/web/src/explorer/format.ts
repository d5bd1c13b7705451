type Precision = 'EXACT' | 'DAY' | 'MONTH' | 'YEAR' | null | undefined;

const options: Record<Exclude<Precision, null | undefined>, Intl.DateTimeFormatOptions> = {
  EXACT: { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' },
  DAY: { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' },
  MONTH: { month: 'long', year: 'numeric', timeZone: 'UTC' },
  YEAR: { year: 'numeric', timeZone: 'UTC' },
};

/** A date written only as precisely as it is known: "22 May 2023", "May 2023", "2023". */
export function formatDate(value: string | null | undefined, precision: Precision): string {
  if (!value) return 'date not reported';
  return new Intl.DateTimeFormat('en-GB', options[precision ?? 'DAY']).format(new Date(value));
}

/** ENUM_VALUES read as words: ATTACK_ON_BORDER_POST → "attack on border post". */
export const words = (value: string) => value.toLowerCase().replace(/_/g, ' ');

/** The stances that take a claim's side; the others (DENIES, DISPUTES) reject it. */
export const AFFIRMING = new Set(['ASSERTS', 'SUPPORTS']);

export const STANCE_LABEL: Record<string, string> = {
  ASSERTS: 'asserts',
  SUPPORTS: 'supports',
  DENIES: 'denies',
  DISPUTES: 'disputes',
};

export const CHANNEL_LABEL: Record<string, string> = {
  TELEGRAM: 'Telegram',
  TWITTER: 'Twitter',
  TELEVISED_COMMENTS: 'televised comments',
  INTERVIEW: 'interview',
  REMARKS_TO_MEDIA: 'remarks to the media',
  WRITTEN_STATEMENT: 'written statement',
  REPORT: 'report',
  OFFICIAL_ANNOUNCEMENT: 'official announcement',
  UNSPECIFIED: 'channel not reported',
};
