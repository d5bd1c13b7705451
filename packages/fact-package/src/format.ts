// A fact package, format version 1: one report's facts in one JSON document, as a newsroom
// contributes them. The source with its text; the places, actors, events, claims and statements
// the report states. Records inside the package refer to each other by local keys; a reference
// may instead name what the graph already holds, by id or slug (and an actor by a name or alias).
//
// This schema checks a package's shape and each field's rules; the importer then resolves the
// references and anchors the quotes, and the owning services check everything again as they
// write. The JSON Schema served at /schemas/fact-package-v1.json is generated from it.
import { z } from 'zod';

export const FORMAT = 'newsfacts.fact-package';
export const FORMAT_VERSION = 1;

/** What one package may hold: larger reports are split into several packages. */
export const PACKAGE_LIMITS = {
  /** The package's JSON, in bytes. */
  maxBytes: 16 * 1024 * 1024,
  /** Records of every kind together (the source, places, actors, events, claims, statements). */
  maxRecords: 50_000,
  /** The source's text, in characters (as the statements service stores it). */
  maxTextLength: 1_000_000,
} as const;

// The values of the API's enums; tests/fact-package.test.ts holds them equal to the schema's.
export const ENUMS = {
  ActorKind: ['PERSON', 'ORGANIZATION'],
  OrganizationType: [
    'STATE',
    'GOVERNMENT_BODY',
    'REGIONAL_GOVERNMENT',
    'MILITARY',
    'SECURITY_FORCES',
    'LAW_ENFORCEMENT',
    'INTELLIGENCE_AGENCY',
    'ARMED_GROUP',
    'MEDIA',
    'RESEARCH_INSTITUTE',
    'OTHER',
  ],
  AliasKind: ['TRANSLITERATION', 'ALTERNATIVE_NAME', 'ABBREVIATION', 'METONYM'],
  EventKind: [
    'INCURSION',
    'ARMED_CLASH',
    'ATTACK_ON_BORDER_POST',
    'SHELLING',
    'AIR_STRIKE',
    'DRONE_STRIKE',
    'BOMBING',
    'SABOTAGE',
    'PROTEST',
    'OTHER',
  ],
  DatePrecision: ['EXACT', 'DAY', 'MONTH', 'YEAR'],
  GeoPrecision: ['POINT', 'SETTLEMENT', 'NEAR_SETTLEMENT', 'DISTRICT', 'REGION', 'COUNTRY'],
  // Only the kinds a link is stated with; the others are how it reads from its other end.
  EventRelationKind: ['FOLLOWS', 'RELATED_TO', 'RESPONSE_TO'],
  ParticipantRole: [
    'ATTACKER',
    'ALLEGED_ATTACKER',
    'DEFENDER',
    'TARGET',
    'VICTIM',
    'ACCUSER',
    'INVESTIGATOR',
    'COMMENTATOR',
    'ANALYST',
    'BRIEFED',
  ],
  FigureMetric: ['INJURED', 'KILLED', 'DRONES', 'TANKS'],
  FigureQualifier: ['EXACT', 'AT_LEAST', 'AT_MOST', 'APPROXIMATE'],
  ClaimAspect: [
    'OCCURRENCE',
    'PERPETRATOR',
    'CASUALTIES',
    'DAMAGE',
    'CONDUCT',
    'MOTIVE',
    'RESPONSE',
    'SAFETY',
    'ASSESSMENT',
  ],
  Stance: ['ASSERTS', 'SUPPORTS', 'DENIES', 'DISPUTES'],
  Channel: [
    'TELEGRAM',
    'TWITTER',
    'TELEVISED_COMMENTS',
    'INTERVIEW',
    'WRITTEN_STATEMENT',
    'OFFICIAL_ANNOUNCEMENT',
    'REMARKS_TO_MEDIA',
    'REPORT',
    'UNSPECIFIED',
  ],
} as const;

const text = (max: number) => z.string().trim().min(1, { message: 'must not be empty' }).max(max);
const optionalText = (max: number) => text(max).nullish();

/** A record's name inside its package: what the package's other records refer to it by. */
export const localKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
    message: 'a local key: 1–100 letters, digits, dots, hyphens or underscores, e.g. gladkov',
  })
  .describe('A name for this record inside the package (1–100 letters, digits, ".", "-", "_").');

const slug = z
  .string()
  .max(80)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'lower-case letters, digits and single hyphens, e.g. kyiv-desk' });
const id = z.string().uuid({ message: 'must be an id (a UUID)' });
const instant = z.iso
  .datetime({ offset: true, message: 'an ISO 8601 instant, e.g. 2023-05-22T00:00:00Z' })
  .describe('An ISO 8601 instant; for DAY precision midnight UTC of the day, for MONTH the first, for YEAR 1 January.');
const calendarDate = z.iso.date({ message: 'a date, YYYY-MM-DD' });
const countryCode = z.string().regex(/^[A-Z]{2}$/, { message: 'a two-letter ISO 3166-1 code in capitals, e.g. UA' });
const language = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: 'a BCP 47 language tag, e.g. uk or ru-Latn' });

/** A reference: a local key of this package, or a record the graph already holds. */
const reference = (what: string) =>
  z
    .union([
      localKey,
      z.strictObject({ id: id.describe(`The id of a ${what} the graph holds.`) }),
      z.strictObject({ slug: slug.describe(`The slug of a ${what} the graph holds.`) }),
    ])
    .describe(`A ${what}: the local key of one in this package, or {"id": …} or {"slug": …} of one the graph holds.`);

/** An actor may also be named: by its name or any other name, ignoring case, accents and punctuation. */
const actorReference = z
  .union([
    localKey,
    z.strictObject({ id }),
    z.strictObject({ slug }),
    z.strictObject({
      name: text(300).describe(
        'A name or other name of an actor the graph holds; case, accents and punctuation aside.',
      ),
    }),
  ])
  .describe('An actor: a local key, or {"id"}, {"slug"} or {"name"} of one the graph holds.');

// A claim has no slug: one the graph holds is named by id (or matched by its event and text).
const claimReference = z
  .union([localKey, z.strictObject({ id })])
  .describe('A claim: the local key of one in this package, or {"id": …} of one the graph holds.');

const enumeration = <Values extends readonly [string, ...string[]]>(values: Values) => z.enum(values);

export const packageSource = z.strictObject({
  key: localKey.default('source'),
  slug: slug.nullish(),
  publisher: optionalText(300),
  title: text(500),
  url: z
    .string()
    .max(2_000)
    .regex(/^https?:\/\/\S+$/, { message: 'an http or https address, e.g. https://example.org/report' })
    .nullish(),
  publishedAt: instant,
  publishedAtPrecision: enumeration(ENUMS.DatePrecision),
  language,
  text: z
    .string()
    .max(PACKAGE_LIMITS.maxTextLength)
    .refine((value) => value.trim().length > 0, { message: 'must not be empty' })
    .describe("The report's text, exactly; statements' quotes are found in it."),
  note: optionalText(5_000),
});

export const packagePlace = z.strictObject({
  key: localKey,
  slug: slug.nullish(),
  name: text(300),
  region: optionalText(300),
  countryCode,
  country: optionalText(100),
  latitude: z.number().min(-90).max(90).nullish(),
  longitude: z.number().min(-180).max(180).nullish(),
  geoPrecision: enumeration(ENUMS.GeoPrecision),
});

export const packageActor = z.strictObject({
  key: localKey,
  slug: slug.nullish(),
  name: text(300),
  kind: enumeration(ENUMS.ActorKind),
  description: text(5_000),
  countryCode: countryCode.nullish(),
  organizationType: enumeration(ENUMS.OrganizationType).nullish(),
  wikidataId: z
    .string()
    .regex(/^Q[1-9]\d{0,11}$/, { message: 'a Wikidata item id, e.g. Q1234' })
    .nullish(),
  aliases: z
    .array(
      z.strictObject({
        name: text(300),
        kind: enumeration(ENUMS.AliasKind),
        language: language.nullish(),
      }),
    )
    .max(100)
    .nullish(),
  affiliations: z
    .array(
      z.strictObject({
        organization: actorReference,
        title: text(300),
        since: calendarDate.nullish(),
        until: calendarDate.nullish(),
      }),
    )
    .max(100)
    .nullish(),
});

export const packageEvent = z.strictObject({
  key: localKey,
  slug: slug.nullish(),
  title: text(300),
  summary: text(5_000),
  kind: enumeration(ENUMS.EventKind),
  startedAt: instant.nullish(),
  endedAt: instant.nullish(),
  datePrecision: enumeration(ENUMS.DatePrecision),
  place: reference('place').nullish(),
  parent: reference('event').nullish(),
  participants: z
    .array(
      z.strictObject({
        actor: actorReference,
        role: enumeration(ENUMS.ParticipantRole),
        note: optionalText(2_000),
        claim: claimReference.nullish(),
      }),
    )
    .max(100)
    .nullish(),
  figures: z
    .array(
      z.strictObject({
        metric: enumeration(ENUMS.FigureMetric),
        value: z.number().int().min(0),
        qualifier: enumeration(ENUMS.FigureQualifier),
        description: text(1_000),
        claim: claimReference.nullish(),
      }),
    )
    .max(100)
    .nullish(),
  relations: z
    .array(
      z.strictObject({
        to: reference('event'),
        kind: enumeration(ENUMS.EventRelationKind),
        note: optionalText(2_000),
      }),
    )
    .max(100)
    .nullish(),
});

export const packageClaim = z.strictObject({
  key: localKey,
  event: reference('event'),
  aspect: enumeration(ENUMS.ClaimAspect),
  question: text(500),
  text: text(2_000),
});

export const packageStatement = z.strictObject({
  key: localKey,
  claim: claimReference,
  speaker: actorReference,
  stance: enumeration(ENUMS.Stance),
  quote: optionalText(5_000).describe(
    "The speaker's words as the source's text has them; found in it by the importer.",
  ),
  quoteContext: optionalText(2_000).describe('A passage around the quote, when its words occur more than once.'),
  passage: optionalText(5_000).describe(
    "For a statement the text reports without quoting it: the text's words that report it, found like a quote.",
  ),
  span: z
    .strictObject({ start: z.number().int().min(0), end: z.number().int().min(0) })
    .nullish()
    .describe("Where the quote is, in UTF-16 offsets into the text, when words and context don't settle it."),
  paraphrase: optionalText(5_000),
  saidAt: instant.nullish(),
  saidAtPrecision: enumeration(ENUMS.DatePrecision).nullish(),
  channel: enumeration(ENUMS.Channel),
  channelDetail: optionalText(300),
  outlet: actorReference.nullish(),
  note: optionalText(5_000),
});

export const factPackage = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(FORMAT_VERSION),
  id: localKey.describe(
    "This package's name among the packages your key imports: importing it again finds what it made before.",
  ),
  source: packageSource,
  places: z.array(packagePlace).default([]),
  actors: z.array(packageActor).default([]),
  events: z.array(packageEvent).default([]),
  claims: z.array(packageClaim).default([]),
  statements: z.array(packageStatement).default([]),
});

const records = z.array(z.unknown());
/**
 * A package as a whole: its format, version, id and source, and lists of records. The records
 * are checked one by one as they are imported, so that one bad record refuses only itself.
 */
export const packageEnvelope = z
  .strictObject({
    format: factPackage.shape.format,
    version: factPackage.shape.version,
    id: factPackage.shape.id,
    source: packageSource,
    places: records.default([]),
    actors: records.default([]),
    events: records.default([]),
    claims: records.default([]),
    statements: records.default([]),
  })
  .refine(
    (envelope) =>
      1 +
        envelope.places.length +
        envelope.actors.length +
        envelope.events.length +
        envelope.claims.length +
        envelope.statements.length <=
      PACKAGE_LIMITS.maxRecords,
    {
      message: `A package holds at most ${PACKAGE_LIMITS.maxRecords} records: split the report's facts into several packages.`,
    },
  );

export type PackageEnvelope = z.output<typeof packageEnvelope>;
export type FactPackage = z.output<typeof factPackage>;
export type FactPackageInput = z.input<typeof factPackage>;
export type PackagePlace = z.output<typeof packagePlace>;
export type PackageActor = z.output<typeof packageActor>;
export type PackageEvent = z.output<typeof packageEvent>;
export type PackageClaim = z.output<typeof packageClaim>;
export type PackageStatement = z.output<typeof packageStatement>;
export type PackageSource = z.output<typeof packageSource>;

/** The kinds of record a package holds, in the order they are written. */
export const RECORD_KINDS = ['source', 'places', 'actors', 'events', 'claims', 'statements'] as const;

/** The JSON Schema (draft 2020-12) of the format, for editors and other languages' validators. */
export function factPackageJsonSchema(): Record<string, unknown> {
  return {
    $id: `https://newsfacts.dev/schemas/fact-package-v${FORMAT_VERSION}.json`,
    title: 'Newsfacts fact package',
    description:
      "One report's facts: the source with its text, and the places, actors, events, claims and statements it states.",
    ...z.toJSONSchema(factPackage, { io: 'input', unrepresentable: 'any' }),
  };
}
