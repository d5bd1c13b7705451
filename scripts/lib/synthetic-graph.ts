/**
 * A large synthetic news graph for scale tests, written straight into the three subgraphs'
 * PostgreSQL databases (see scripts/generate-graph.ts for the command).
 *
 * Every row is made by the server from `generate_series` and a deterministic hash of its index
 * and the seed, so a million statements load in seconds rather than crossing the wire one by one.
 * Ids come from the kind and the index (`syntheticId`, mirrored in SQL), which is how the three
 * databases agree on references without reading each other: statement n's claim, claim m's event
 * and participant k's actor are functions of n, m and k that each database computes alike.
 *
 * Distributions are skewed the way news is: who speaks, which event is discussed, which claim
 * is argued over and which source carries it are drawn half uniformly and half log-uniformly
 * over the index (index k about 1/(k+1) as likely), so index 0 is the busiest — the top actor
 * speaks tens of thousands of times — while the median speaks a handful of times.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { FactSubgraphName } from '@newsfacts/platform/service-config';

export interface GraphSizes {
  events: number;
  actors: number;
  claims: number;
  statements: number;
  /** The PRNG seed: the same sizes and seed always give the same graph. */
  seed: number;
}

export const DEFAULT_SIZES: GraphSizes = {
  events: 100_000,
  actors: 200_000,
  claims: 250_000,
  statements: 1_000_000,
  seed: 1,
};

/** Smallest sizes that still give every kind of row (organisations, sub-events, competing claims). */
const MINIMUM_SIZES: Omit<GraphSizes, 'seed'> = { events: 10, actors: 20, claims: 10, statements: 10 };

/** Row counts that follow from the main sizes. */
export function derivedSizes(sizes: GraphSizes) {
  return {
    places: Math.max(10, Math.round(sizes.events / 20)),
    sources: Math.max(10, Math.round(sizes.statements / 20)),
    /** Participant rows attempted: one per event, then twice as many spread over busy events. */
    participants: sizes.events * 3,
    relations: Math.round(sizes.events * 0.3),
    organizations: organizationCount(sizes.actors),
  };
}

const ID_PREFIX = 'newsfacts:synthetic:';

/**
 * The id of the synthetic row `index` of `kind`: an RFC 9562 version 8 (custom) UUID from the
 * MD5 of the name, so it never meets the seed's version 5 ids. `pg_temp.nf_id` computes the same.
 */
export function syntheticId(kind: SyntheticKind, index: number): string {
  const hash = createHash('md5').update(`${ID_PREFIX}${kind}:${index}`).digest('hex');
  const hex = `${hash.slice(0, 12)}8${hash.slice(13, 16)}8${hash.slice(17)}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type SyntheticKind =
  | 'place'
  | 'event'
  | 'event-relation'
  | 'participant'
  | 'figure'
  | 'actor'
  | 'alias'
  | 'affiliation'
  | 'source'
  | 'claim'
  | 'statement';

/** Slugs of synthetic events and actors; index 0 is the busiest of its kind. */
export const syntheticSlug = {
  event: (index: number) => `gen-event-${index}`,
  actor: (index: number) => `gen-actor-${index}`,
};

/** How many actors are organisations: those whose index ends in 3, 7 or 9 (30%); the rest are people. */
function organizationCount(actors: number): number {
  return 3 * Math.floor(actors / 10) + [3, 7, 9].filter((digit) => digit < actors % 10).length;
}

// --- SQL building blocks ----------------------------------------------------------------------

/** A SQL text[] literal. */
const textArray = (values: readonly string[]) =>
  `ARRAY[${values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ')}]::text[]`;

/** Each option repeated by its weight, so that a uniform pick from the array is a weighted pick. */
const weighted = (weights: Record<string, number>) =>
  textArray(Object.entries(weights).flatMap(([value, weight]) => Array.from({ length: weight }, () => value)));

/**
 * Session-local helpers (pg_temp: nothing is left in the database). Every random choice is
 * `nf_u(index, salt)`, a hash of the index under the seed; salts keep the choices of one row
 * independent of each other.
 */
function helperFunctions(seed: number): string {
  return `
CREATE FUNCTION pg_temp.nf_u(i bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ((hashint8extended(i, ${seed}::bigint * 1000003 + salt) >> 11) & 9007199254740991)::float8 / 9007199254740992.0
$$;
-- An index in [0, n): with probability skew log-uniform (k about 1/(k+1) as likely), else uniform.
CREATE FUNCTION pg_temp.nf_pick(n bigint, i bigint, salt int, skew float8) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN pg_temp.nf_u(i, salt) < skew
    THEN least(n - 1, floor(exp(pg_temp.nf_u(i, salt + 1) * ln(n + 1)))::bigint - 1)
    ELSE least(n - 1, floor(pg_temp.nf_u(i, salt + 1) * n)::bigint) END
$$;
CREATE FUNCTION pg_temp.nf_of(options text[], i bigint, salt int) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT options[1 + floor(pg_temp.nf_u(i, salt) * array_length(options, 1))::int]
$$;
CREATE FUNCTION pg_temp.nf_id(kind text, i bigint) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT overlay(overlay(md5('${ID_PREFIX}' || kind || ':' || i) placing '8' from 13) placing '8' from 17)::uuid
$$;
-- The k-th organisation's actor index (see organizationCount).
CREATE FUNCTION pg_temp.nf_organization(k bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 10 * (k / 3) + (ARRAY[3, 7, 9])[(k % 3)::int + 1]
$$;
-- When event e began (midnight UTC), between 2014 and 2025; 1% are undated. Statements about the
-- event are dated from it, in another database, so this is shared.
CREATE FUNCTION pg_temp.nf_event_start(e bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN pg_temp.nf_u(e, 101) < 0.01 THEN NULL
    ELSE timestamptz '2014-01-01 00:00:00+00' + floor(pg_temp.nf_u(e, 102) * 4380)::int * interval '1 day' END
$$;
-- Which event claim c is about, and its aspect: shared by the statements and events databases.
CREATE FUNCTION pg_temp.nf_claim_event(c bigint, events bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT pg_temp.nf_pick(events, c, 201, 0.5)
$$;
CREATE FUNCTION pg_temp.nf_claim_aspect(c bigint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT pg_temp.nf_of(${weighted({ OCCURRENCE: 15, PERPETRATOR: 15, CASUALTIES: 20, DAMAGE: 10, MOTIVE: 8, CONDUCT: 10, RESPONSE: 10, SAFETY: 6, ASSESSMENT: 6 })}, c, 203)
$$;
`;
}

const FIRST_NAMES = [
  'Oleksandr',
  'Olena',
  'Andriy',
  'Iryna',
  'Serhiy',
  'Natalia',
  'Dmytro',
  'Yulia',
  'Mykola',
  'Oksana',
  'Vladimir',
  'Tatiana',
  'Sergei',
  'Svetlana',
  'Alexei',
  'Yelena',
  'Mikhail',
  'Anna',
  'Pavel',
  'Maria',
  'Viktor',
  'Halyna',
  'Bohdan',
  'Larysa',
  'Vasyl',
  'Kateryna',
  'Ivan',
  'Daria',
  'Yevhen',
  'Sofia',
  'John',
  'Sarah',
  'James',
  'Emma',
  'Piotr',
  'Agnieszka',
  'Tomas',
  'Ruta',
  'Giorgi',
  'Nino',
];
const LAST_NAMES = [
  'Kovalenko',
  'Shevchenko',
  'Bondarenko',
  'Tkachenko',
  'Kravchenko',
  'Oliynyk',
  'Moroz',
  'Lysenko',
  'Petrenko',
  'Marchenko',
  'Ivanov',
  'Smirnov',
  'Kuznetsov',
  'Popov',
  'Vasiliev',
  'Sokolov',
  'Mikhailov',
  'Novikov',
  'Fedorov',
  'Morozov',
  'Volkov',
  'Alekseev',
  'Lebedev',
  'Semenov',
  'Yegorov',
  'Pavlov',
  'Kozlov',
  'Stepanov',
  'Nikolaev',
  'Orlov',
  'Melnyk',
  'Boyko',
  'Kovalchuk',
  'Savchenko',
  'Rudenko',
  'Hrytsenko',
  'Zakharchenko',
  'Nowak',
  'Kowalski',
  'Walker',
  'Brown',
  'Kazlauskas',
  'Beridze',
];
const ORGANIZATION_WORDS = [
  'Northern',
  'Eastern',
  'Southern',
  'Western',
  'Border',
  'Regional',
  'National',
  'Volunteer',
  'Coastal',
  'Central',
  'Independent',
  'United',
  'Free',
  'Territorial',
  'Special',
];
const ORGANIZATION_NOUNS: Record<string, string[]> = {
  STATE: ['Republic', 'Federation'],
  GOVERNMENT_BODY: ['Ministry of Defence', 'Foreign Ministry', 'Security Council', 'Presidential Office'],
  REGIONAL_GOVERNMENT: ['Regional Administration', 'Oblast Council', 'City Council'],
  MILITARY: ['Brigade', 'Army Corps', 'Air Command', 'Artillery Regiment'],
  INTELLIGENCE_AGENCY: ['Intelligence Directorate', 'Security Service'],
  SECURITY_FORCES: ['Border Guard', 'National Guard'],
  LAW_ENFORCEMENT: ['Police Department', 'Investigative Committee', 'Prosecutor’s Office'],
  ARMED_GROUP: ['Legion', 'Volunteer Corps', 'Militia', 'Battalion'],
  MEDIA: ['Broadcasting Company', 'News Agency', 'Daily', 'Telegram Channel'],
  RESEARCH_INSTITUTE: ['Institute for War Studies', 'Policy Centre'],
  OTHER: ['Relief Fund', 'Human Rights Group', 'Monitoring Mission'],
};
const ORGANIZATION_TYPES = Object.keys(ORGANIZATION_NOUNS);
const PLACE_ROOTS = [
  'Kozinka',
  'Shebekino',
  'Grayvoron',
  'Valuyki',
  'Sumy',
  'Kharkiv',
  'Kupiansk',
  'Izium',
  'Bakhmut',
  'Avdiivka',
  'Vovchansk',
  'Klintsy',
  'Novozybkov',
  'Kursk',
  'Sudzha',
  'Rylsk',
  'Lgov',
  'Oboyan',
  'Bryansk',
  'Pochep',
  'Belgorod',
  'Stary Oskol',
  'Kherson',
  'Nikopol',
  'Enerhodar',
  'Zaporizhzhia',
  'Odesa',
  'Mykolaiv',
  'Dnipro',
  'Pavlohrad',
  'Kramatorsk',
  'Sloviansk',
  'Lyman',
  'Siversk',
  'Toretsk',
];
const PLACE_SUFFIXES = ['', ' district', ' village', ' crossing', ' station', ' outskirts', ' heights', ' bridge'];
/** Actors' countries, by weight. */
const ACTOR_COUNTRIES = { UA: 40, RU: 35, BY: 5, PL: 4, MD: 3, GE: 3, LT: 2, US: 4, GB: 2, DE: 2 };
const EVENT_KINDS = {
  INCURSION: 4,
  ARMED_CLASH: 20,
  ATTACK_ON_BORDER_POST: 4,
  SHELLING: 25,
  AIR_STRIKE: 12,
  DRONE_STRIKE: 18,
  SABOTAGE: 5,
  BOMBING: 4,
  PROTEST: 4,
  OTHER: 4,
};
/** The questions claims of each aspect answer, each with the rival answers actors give. */
const QUESTIONS: Record<string, Record<string, string[]>> = {
  OCCURRENCE: {
    'What happened?': ['Fighting broke out near the border.', 'Saboteurs crossed the border and were repelled.'],
    'Did the attack take place?': [
      'The attack took place as reported.',
      'No attack took place; the reports are staged.',
    ],
  },
  PERPETRATOR: {
    'Who carried out the attack?': [
      'Ukrainian armed formations carried out the attack.',
      'Russian volunteer militias carried out the attack.',
      'Saboteurs from across the border carried it out.',
    ],
  },
  CASUALTIES: {
    'How many people were injured?': [
      'At least two people were injured.',
      'Twelve people were injured.',
      'Nobody was hurt.',
    ],
    'How many people were killed?': ['One civilian was killed.', 'Nobody was killed.', 'Three soldiers were killed.'],
  },
  DAMAGE: {
    'What was damaged?': ['A power line was damaged.', 'Several houses were destroyed.', 'A fuel depot caught fire.'],
  },
  MOTIVE: {
    'Why was it carried out?': [
      'The attack aimed to divert forces from the front.',
      'The attack was retaliation for shelling.',
    ],
  },
  CONDUCT: {
    'How was it carried out?': ['Drones dropped explosives on the village.', 'Armoured vehicles crossed the border.'],
    'Were civilians targeted?': ['Civilian buildings were deliberately targeted.', 'Only military targets were hit.'],
  },
  RESPONSE: {
    'What did the authorities do?': [
      'A counter-terrorist operation was declared.',
      'Reinforcements were sent to the area.',
    ],
    'Were residents evacuated?': ['Residents were evacuated.', 'No evacuation was needed.'],
  },
  SAFETY: {
    'Is the area safe for residents?': ['Residents should stay in shelters.', 'The area is safe again.'],
  },
  ASSESSMENT: {
    'What does it mean for the war?': [
      'The raid was a political provocation.',
      'The raid exposed weak border defences.',
    ],
  },
};
const REGIONS: Record<string, string[]> = {
  UA: ['Kharkiv Oblast', 'Sumy Oblast', 'Donetsk Oblast', 'Zaporizhzhia Oblast', 'Kherson Oblast', 'Chernihiv Oblast'],
  RU: ['Belgorod Oblast', 'Kursk Oblast', 'Bryansk Oblast', 'Voronezh Oblast'],
  BY: ['Gomel Region'],
  MD: ['Transnistria'],
};
const TITLES = [
  'Governor',
  'Minister',
  'Spokesperson',
  'Commander',
  'Deputy head',
  'Adviser',
  'Head',
  'Analyst',
  'Correspondent',
  'Member',
];

const kindLabel = (kind: string) => kind.charAt(0) + kind.slice(1).toLowerCase().replace(/_/g, ' ');

/** Claim c's question, picked among its aspect's. */
function claimQuestion(aspect: string): string {
  const branches = Object.entries(QUESTIONS).map(
    ([value, questions]) => `WHEN '${value}' THEN pg_temp.nf_of(${textArray(Object.keys(questions))}, c, 205)`,
  );
  return `CASE ${aspect} ${branches.join(' ')} END`;
}

/** Claim c's text: one of the answers to its question. */
function claimText(question: string): string {
  const branches = Object.values(QUESTIONS).flatMap((questions) =>
    Object.entries(questions).map(
      ([asked, answers]) => `WHEN '${asked.replace(/'/g, "''")}' THEN pg_temp.nf_of(${textArray(answers)}, c, 206)`,
    ),
  );
  return `CASE ${question} ${branches.join(' ')} END`;
}

// --- the three databases --------------------------------------------------------------------

interface Step {
  table: string;
  sql: string;
}

// nameKey() (@newsfacts/fact-package/names) in SQL: exact for the generated names, which are
// unaccented Latin letters, spaces and punctuation.
const NAME_KEY_SQL = (column: string) => `trim(regexp_replace(lower(${column}), '[^[:alnum:]]+', ' ', 'g'))`;

function actorsSteps(sizes: GraphSizes): Step[] {
  const { actors } = sizes;
  const organizations = organizationCount(actors);
  const isOrganization = `(i % 10) IN (3, 7, 9)`;
  const organizationType = `pg_temp.nf_of(${textArray(ORGANIZATION_TYPES)}, i, 2)`;
  const nouns = Object.entries(ORGANIZATION_NOUNS)
    .map(([type, list]) => `WHEN '${type}' THEN pg_temp.nf_of(${textArray(list)}, i, 4)`)
    .join(' ');
  const personName = `pg_temp.nf_of(${textArray(FIRST_NAMES)}, i, 5) || ' ' || pg_temp.nf_of(${textArray(LAST_NAMES)}, i, 6)`;
  const organizationName = `pg_temp.nf_of(${textArray(ORGANIZATION_WORDS)}, i, 3) || ' ' || CASE ${organizationType} ${nouns} END`;
  const country = `pg_temp.nf_of(${weighted(ACTOR_COUNTRIES)}, i, 7)`;
  return [
    {
      table: 'Actor',
      sql: `
INSERT INTO "Actor" (id, slug, name, "nameKey", kind, description, "countryCode", "organizationType", "wikidataId", "createdAt", "updatedAt")
SELECT pg_temp.nf_id('actor', i), 'gen-actor-' || i, name, ${NAME_KEY_SQL('name')}, kind::"ActorKind",
       CASE WHEN kind = 'PERSON' THEN 'A public figure quoted in reports about the war.'
            ELSE 'An organisation named in reports about the war.' END,
       country, CASE WHEN kind = 'ORGANIZATION' THEN ${organizationType}::"OrganizationType" END,
       CASE WHEN pg_temp.nf_u(i, 8) < 0.2 THEN 'Q' || (1000000 + i) END,
       timestamptz '2024-01-01 00:00:00+00', timestamptz '2024-01-01 00:00:00+00'
FROM generate_series(0, ${actors - 1}) i
CROSS JOIN LATERAL (SELECT CASE WHEN ${isOrganization} THEN 'ORGANIZATION' ELSE 'PERSON' END AS kind,
                           CASE WHEN ${isOrganization} THEN ${organizationName} ELSE ${personName} END AS name,
                           ${country} AS country) made`,
    },
    {
      // People: a transliteration, initials, another spelling; organisations: an abbreviation,
      // a longer name, a metonym. 0–3 each, most actors one or two.
      table: 'Alias',
      sql: `
INSERT INTO "Alias" (id, "actorId", name, "nameKey", kind, language)
SELECT pg_temp.nf_id('alias', a.i * 3 + j), a.id, alias.name, ${NAME_KEY_SQL('alias.name')}, alias.kind::"AliasKind", alias.language
FROM (SELECT id, name, kind = 'ORGANIZATION' AS organization, substr(slug, 11)::bigint AS i FROM "Actor" WHERE slug LIKE 'gen-actor-%') a
CROSS JOIN generate_series(0, 2) j
CROSS JOIN LATERAL (SELECT
  CASE WHEN a.organization THEN
         CASE j WHEN 0 THEN upper(regexp_replace(a.name, '([A-Za-z])[a-z’]*\\s*', '\\1', 'g'))
                WHEN 1 THEN 'The ' || a.name
                ELSE split_part(a.name, ' ', 1) END
       ELSE
         CASE j WHEN 0 THEN replace(replace(replace(replace(a.name, 'v', 'w'), 'y', 'i'), 'kh', 'h'), 'ii', 'iy')
                WHEN 1 THEN left(a.name, 1) || '. ' || split_part(a.name, ' ', 2)
                ELSE replace(replace(a.name, 'o', 'a'), 'e', 'ye') END
  END AS name,
  CASE WHEN a.organization THEN (ARRAY['ABBREVIATION', 'ALTERNATIVE_NAME', 'METONYM'])[j + 1]
       ELSE (ARRAY['TRANSLITERATION', 'ALTERNATIVE_NAME', 'TRANSLITERATION'])[j + 1] END AS kind,
  CASE WHEN NOT a.organization AND j <> 1 THEN (ARRAY['uk', 'ru'])[1 + (a.i % 2)] END AS language) alias
WHERE j < floor(pg_temp.nf_u(a.i, 9) * 3.2) AND alias.name <> a.name
ON CONFLICT DO NOTHING`,
    },
    {
      // 55% of people hold a position, 20% a second; organisations' sizes are skewed, so a few
      // have thousands of members.
      table: 'Affiliation',
      sql: `
INSERT INTO "Affiliation" (id, "memberId", "organizationId", title, since, until)
SELECT pg_temp.nf_id('affiliation', p.i * 2 + j), pg_temp.nf_id('actor', p.i),
       pg_temp.nf_id('actor', pg_temp.nf_organization(pg_temp.nf_pick(${organizations}, p.i * 2 + j, 11, 0.6))),
       pg_temp.nf_of(${textArray(TITLES)}, p.i * 2 + j, 13), since,
       CASE WHEN since IS NOT NULL AND pg_temp.nf_u(p.i * 2 + j, 15) < 0.25 THEN since + floor(pg_temp.nf_u(p.i * 2 + j, 16) * 1500)::int END
FROM generate_series(0, ${actors - 1}) p(i)
CROSS JOIN generate_series(0, 1) j
CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.nf_u(p.i * 2 + j, 14) < 0.7
                           THEN date '2005-01-01' + floor(pg_temp.nf_u(p.i * 2 + j, 17) * 7000)::int END AS since) dates
WHERE (p.i % 10) NOT IN (3, 7, 9) AND pg_temp.nf_u(p.i, 10) < (CASE j WHEN 0 THEN 0.55 ELSE 0.2 END)
ON CONFLICT DO NOTHING`,
    },
  ];
}

function eventsSteps(sizes: GraphSizes): Step[] {
  const { events, actors, claims } = sizes;
  const { places, participants, relations, organizations } = derivedSizes(sizes);
  const eventKindLabel = `CASE kind ${Object.keys(EVENT_KINDS)
    .map((kind) => `WHEN '${kind}' THEN '${kindLabel(kind)}'`)
    .join(' ')} END`;
  const countryPick = `pg_temp.nf_of(${weighted({ UA: 55, RU: 40, BY: 3, MD: 2 })}, i, 41)`;
  return [
    {
      table: 'Place',
      sql: `
INSERT INTO "Place" (id, slug, name, region, "countryCode", country, latitude, longitude, "geoPrecision")
SELECT pg_temp.nf_id('place', i), 'gen-place-' || i,
       pg_temp.nf_of(${textArray(PLACE_ROOTS)}, i, 42) || pg_temp.nf_of(${textArray(PLACE_SUFFIXES)}, i, 43),
       CASE code ${Object.entries(REGIONS)
         .map(([code, regions]) => `WHEN '${code}' THEN pg_temp.nf_of(${textArray(regions)}, i, 44)`)
         .join(' ')} END, code,
       CASE code WHEN 'UA' THEN 'Ukraine' WHEN 'RU' THEN 'Russia' WHEN 'BY' THEN 'Belarus' ELSE 'Moldova' END,
       44 + pg_temp.nf_u(i, 45) * 10, 22 + pg_temp.nf_u(i, 46) * 18,
       pg_temp.nf_of(${weighted({ POINT: 2, SETTLEMENT: 5, NEAR_SETTLEMENT: 3, DISTRICT: 2, REGION: 1 })}, i, 47)::"GeoPrecision"
FROM generate_series(0, ${places - 1}) i
CROSS JOIN LATERAL (SELECT ${countryPick} AS code) country`,
    },
    {
      // 15% are part of an earlier event, drawn log-uniformly, so event 0 has hundreds of parts.
      table: 'Event',
      sql: `
INSERT INTO "Event" (id, slug, title, summary, kind, "startedAt", "endedAt", "datePrecision", "placeId", "parentId", "createdAt", "updatedAt")
SELECT pg_temp.nf_id('event', i), 'gen-event-' || i,
       ${eventKindLabel} || coalesce(' near ' || place.name, '') || coalesce(', ' || to_char(started, 'DD Mon YYYY'), ''),
       'Reports describe ' || lower(${eventKindLabel}) || coalesce(' in ' || place.region, '') || '. ' ||
         pg_temp.nf_of(${textArray(['Officials gave conflicting accounts of who was responsible.', 'Several people were reported hurt.', 'Residents were told to take shelter.', 'The claims could not be independently verified.'])}, i, 52),
       kind::"EventKind", started,
       CASE WHEN started IS NOT NULL AND pg_temp.nf_u(i, 53) < 0.6 THEN started + floor(pg_temp.nf_u(i, 54) * 5)::int * interval '1 day' END,
       (CASE WHEN started IS NULL THEN 'YEAR' ELSE pg_temp.nf_of(${weighted({ DAY: 7, EXACT: 2, MONTH: 1 })}, i, 55) END)::"DatePrecision",
       place.id,
       CASE WHEN i > 0 AND pg_temp.nf_u(i, 56) < 0.15 THEN pg_temp.nf_id('event', pg_temp.nf_pick(i, i, 57, 1)) END,
       timestamptz '2024-01-01 00:00:00+00', timestamptz '2024-01-01 00:00:00+00'
FROM generate_series(0, ${events - 1}) i
CROSS JOIN LATERAL (SELECT pg_temp.nf_of(${weighted(EVENT_KINDS)}, i, 50) AS kind, pg_temp.nf_event_start(i) AS started,
                           CASE WHEN pg_temp.nf_u(i, 58) < 0.95 THEN pg_temp.nf_pick(${places}, i, 59, 0.5) END AS place_index) made
LEFT JOIN "Place" place ON place.id = pg_temp.nf_id('place', made.place_index)
ORDER BY i`,
    },
    {
      table: 'EventRelation',
      sql: `
INSERT INTO "EventRelation" (id, "fromEventId", "toEventId", kind, note)
SELECT pg_temp.nf_id('event-relation', r), pg_temp.nf_id('event', from_index), pg_temp.nf_id('event', to_index),
       pg_temp.nf_of(${weighted({ FOLLOWS: 5, RELATED_TO: 3, RESPONSE_TO: 2 })}, r, 62)::"EventRelationKind",
       CASE WHEN pg_temp.nf_u(r, 63) < 0.2 THEN 'Linked by officials in their statements.' END
FROM generate_series(0, ${relations - 1}) r
CROSS JOIN LATERAL (SELECT floor(pg_temp.nf_u(r, 60) * ${events})::bigint AS from_index,
                           pg_temp.nf_pick(${events}, r, 61, 0.7) AS to_index) ends
WHERE from_index <> to_index
ON CONFLICT DO NOTHING`,
    },
    {
      // Every event gets one participant; twice as many more go to busy events, by busy actors.
      // Some perpetrator claims (statements database) name an alleged attacker: those rows carry the claim.
      table: 'Participant',
      sql: `
INSERT INTO "Participant" (id, "eventId", "actorId", role, note, "claimId")
SELECT pg_temp.nf_id('participant', r),
       pg_temp.nf_id('event', CASE WHEN r < ${events} THEN r ELSE pg_temp.nf_pick(${events}, r, 70, 0.6) END),
       pg_temp.nf_id('actor', pg_temp.nf_pick(${actors}, r, 72, 0.5)),
       pg_temp.nf_of(${weighted({ ATTACKER: 3, DEFENDER: 3, TARGET: 2, VICTIM: 3, ACCUSER: 2, INVESTIGATOR: 2, COMMENTATOR: 6, ANALYST: 2, BRIEFED: 1 })}, r, 74)::"ParticipantRole",
       CASE WHEN pg_temp.nf_u(r, 75) < 0.05 THEN 'Named in the report.' END, NULL::uuid
FROM generate_series(0, ${participants - 1}) r
UNION ALL
SELECT pg_temp.nf_id('participant', ${participants} + c), pg_temp.nf_id('event', pg_temp.nf_claim_event(c, ${events})),
       pg_temp.nf_id('actor', pg_temp.nf_organization(pg_temp.nf_pick(${organizations}, c, 76, 0.5))),
       'ALLEGED_ATTACKER', 'Named as the attacker by an accuser.', pg_temp.nf_id('claim', c)
FROM generate_series(0, ${claims - 1}) c
WHERE pg_temp.nf_claim_aspect(c) = 'PERPETRATOR' AND pg_temp.nf_u(c, 77) < 0.2
ON CONFLICT DO NOTHING`,
    },
    {
      // Half the casualty claims report a figure; a few events also count drones or tanks.
      table: 'Figure',
      sql: `
INSERT INTO "Figure" (id, "eventId", metric, value, qualifier, description, "claimId")
SELECT pg_temp.nf_id('figure', c), pg_temp.nf_id('event', pg_temp.nf_claim_event(c, ${events})), metric::"FigureMetric",
       1 + floor(exp(pg_temp.nf_u(c, 81) * ln(200)))::int - 1,
       pg_temp.nf_of(${weighted({ EXACT: 4, AT_LEAST: 3, AT_MOST: 1, APPROXIMATE: 2 })}, c, 82)::"FigureQualifier",
       CASE metric WHEN 'KILLED' THEN 'people killed' ELSE 'people injured' END, pg_temp.nf_id('claim', c)
FROM generate_series(0, ${claims - 1}) c
CROSS JOIN LATERAL (SELECT pg_temp.nf_of(ARRAY['INJURED', 'INJURED', 'KILLED'], c, 80) AS metric) m
WHERE pg_temp.nf_claim_aspect(c) = 'CASUALTIES' AND pg_temp.nf_u(c, 83) < 0.5
UNION ALL
SELECT pg_temp.nf_id('figure', ${claims} + e), pg_temp.nf_id('event', e),
       (CASE WHEN pg_temp.nf_u(e, 85) < 0.8 THEN 'DRONES' ELSE 'TANKS' END)::"FigureMetric",
       1 + floor(pg_temp.nf_u(e, 86) * 40)::int, 'APPROXIMATE', 'shot down or destroyed', NULL
FROM generate_series(0, ${events - 1}) e
WHERE pg_temp.nf_u(e, 84) < 0.05`,
    },
  ];
}

function statementsSteps(sizes: GraphSizes): Step[] {
  const { events, actors, claims, statements } = sizes;
  const { sources, organizations } = derivedSizes(sizes);
  const aspect = 'pg_temp.nf_claim_aspect(c)';
  const text = claimText(claimQuestion(aspect));
  return [
    {
      table: 'Source',
      sql: `
INSERT INTO "Source" (id, slug, publisher, title, url, "publishedAt", "publishedAtPrecision", language, "contentSha256", note)
SELECT pg_temp.nf_id('source', i), 'gen-source-' || i, publisher,
       pg_temp.nf_of(${textArray(['Fighting continues near the border', 'Officials trade accusations after strike', 'Residents describe night of shelling', 'What we know about the attack', 'Live updates: the war on day', 'Drones hit energy infrastructure'])}, i, 91) || ' (' || i || ')',
       CASE WHEN publisher IS NOT NULL THEN 'https://news.example/' || i END,
       timestamptz '2014-01-01 00:00:00+00' + floor(pg_temp.nf_u(i, 92) * 4400)::int * interval '1 day',
       pg_temp.nf_of(${weighted({ DAY: 3, EXACT: 1 })}, i, 93)::"DatePrecision",
       pg_temp.nf_of(${weighted({ en: 6, uk: 2, ru: 2 })}, i, 94), NULL, NULL
FROM generate_series(0, ${sources - 1}) i
CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.nf_u(i, 95) < 0.9
  THEN pg_temp.nf_of(${textArray(['Reuters', 'Associated Press', 'Agence France-Presse', 'BBC News', 'Kyiv Independent', 'Meduza', 'Suspilne', 'RBC', 'TASS', 'Ukrainska Pravda'])}, i, 96) END AS publisher) p`,
    },
    {
      // Claims about busy events are many, and claims on one event that answer one question compete.
      table: 'Claim',
      sql: `
INSERT INTO "Claim" (id, "eventId", aspect, question, text, "createdAt")
SELECT pg_temp.nf_id('claim', c), pg_temp.nf_id('event', pg_temp.nf_claim_event(c, ${events})), ${aspect}::"ClaimAspect",
       ${claimQuestion(aspect)}, ${text},
       timestamptz '2024-01-01 00:00:00+00' + c * interval '1 second'
FROM generate_series(0, ${claims - 1}) c`,
    },
    {
      // A quarter of the claims are argued over (every stance); on the rest actors only agree.
      // Statements are dated within ten days of their event's start.
      table: 'Statement',
      sql: `
INSERT INTO "Statement" (id, "claimId", "eventId", "speakerId", stance, quote, paraphrase, "saidAt", "saidAtPrecision", channel, "channelDetail", "outletId", "sourceId", "spanStart", "spanEnd", note)
SELECT pg_temp.nf_id('statement', s), pg_temp.nf_id('claim', c), pg_temp.nf_id('event', pg_temp.nf_claim_event(c, ${events})),
       pg_temp.nf_id('actor', pg_temp.nf_pick(${actors}, s, 302, 0.5)),
       (CASE WHEN pg_temp.nf_u(c, 207) < 0.25 THEN pg_temp.nf_of(${weighted({ ASSERTS: 4, SUPPORTS: 2, DENIES: 3, DISPUTES: 1 })}, s, 304)
             ELSE pg_temp.nf_of(${weighted({ ASSERTS: 7, SUPPORTS: 3 })}, s, 304) END)::"Stance",
       CASE WHEN pg_temp.nf_u(s, 305) < 0.4 THEN pg_temp.nf_of(${textArray(['We have seen this with our own eyes', 'This is a provocation', 'The situation is under control', 'Our forces repelled the attack', 'These reports are false', 'Everything is being done to protect residents'])}, s, 306) END,
       'Said that ' || lower(left(claim_text, 1)) || substr(claim_text, 2),
       said_at, CASE WHEN said_at IS NOT NULL THEN pg_temp.nf_of(${weighted({ DAY: 3, EXACT: 1 })}, s, 308)::"DatePrecision" END,
       pg_temp.nf_of(${weighted({ TELEGRAM: 6, TWITTER: 2, TELEVISED_COMMENTS: 3, INTERVIEW: 2, REMARKS_TO_MEDIA: 3, WRITTEN_STATEMENT: 2, REPORT: 1, OFFICIAL_ANNOUNCEMENT: 2, UNSPECIFIED: 1 })}, s, 309)::"Channel",
       CASE WHEN pg_temp.nf_u(s, 310) < 0.3 THEN 'on their official channel' END,
       CASE WHEN pg_temp.nf_u(s, 311) < 0.1 THEN pg_temp.nf_id('actor', pg_temp.nf_organization(pg_temp.nf_pick(${organizations}, s, 312, 0.5))) END,
       pg_temp.nf_id('source', pg_temp.nf_pick(${sources}, s, 314, 0.5)),
       span_start, span_start + 20 + floor(pg_temp.nf_u(s, 317) * 200)::int, NULL
FROM generate_series(0, ${statements - 1}) s
CROSS JOIN LATERAL (SELECT pg_temp.nf_pick(${claims}, s, 300, 0.5) AS c OFFSET 0) pick
CROSS JOIN LATERAL (SELECT ${text} AS claim_text OFFSET 0) claim
CROSS JOIN LATERAL (SELECT pg_temp.nf_event_start(pg_temp.nf_claim_event(c, ${events})) + floor(pg_temp.nf_u(s, 307) * 10)::int * interval '1 day' AS said_at,
                           CASE WHEN pg_temp.nf_u(s, 315) < 0.5 THEN floor(pg_temp.nf_u(s, 316) * 20000)::int END AS span_start) made`,
    },
  ];
}

const STEPS: Record<FactSubgraphName, (sizes: GraphSizes) => Step[]> = {
  actors: actorsSteps,
  events: eventsSteps,
  statements: statementsSteps,
};

/** The row of each database whose presence means a graph was generated there before. */
const MARKERS: Record<FactSubgraphName, { table: string; kind: SyntheticKind }> = {
  actors: { table: 'Actor', kind: 'actor' },
  events: { table: 'Event', kind: 'event' },
  statements: { table: 'Claim', kind: 'claim' },
};

export class GraphAlreadyGeneratedError extends Error {
  override name = 'GraphAlreadyGeneratedError';
}

export interface TableTiming {
  database: FactSubgraphName;
  table: string;
  rows: number;
  /** Making and inserting the rows. */
  loadSeconds: number;
  /** Rebuilding the table's secondary indexes and foreign keys afterwards, then VACUUM ANALYZE. */
  indexSeconds: number;
}

export interface GenerateOptions {
  /**
   * PostgreSQL URL of each subgraph's database, migrated. Leave one out to fill only the others
   * (a test of one subgraph); the rows still refer to each other by the same ids.
   */
  urls: Partial<Record<FactSubgraphName, string>>;
  sizes: GraphSizes;
  /** Told of each table as it is done. */
  onTable?: (timing: TableTiming) => void;
}

/**
 * Writes the graph, the three databases side by side. Each is filled in one transaction, so a
 * failure leaves it as it was, and then vacuumed and analysed so that the planner knows the new
 * sizes. Refuses (GraphAlreadyGeneratedError) when any of them already holds a generated graph:
 * rows are made by index, so a second run would only collide with the first; recreate the
 * databases instead. The seed may be there or not.
 */
export async function generateGraph({ urls, sizes, onTable }: GenerateOptions): Promise<TableTiming[]> {
  checkSizes(sizes);
  const names = (Object.keys(STEPS) as FactSubgraphName[]).filter((name) => urls[name]);
  const clients = new Map<FactSubgraphName, pg.Client>();
  try {
    for (const name of names) {
      const client = new pg.Client({ connectionString: urls[name] });
      await client.connect();
      clients.set(name, client);
      await client.query(helperFunctions(sizes.seed));
      const marker = MARKERS[name];
      const found = await client.query(`SELECT 1 FROM "${marker.table}" WHERE id = pg_temp.nf_id($1, 0)`, [
        marker.kind,
      ]);
      if (found.rowCount) {
        throw new GraphAlreadyGeneratedError(
          `the ${name} database already holds a generated graph; generate into freshly migrated databases (the seed may be there)`,
        );
      }
    }
    const timings = await Promise.all(
      names.map(async (name) => {
        const client = clients.get(name)!;
        const done: TableTiming[] = [];
        await client.query('BEGIN');
        try {
          // Rows are new and many: no need to wait for each commit to reach the disk, and index
          // builds may sort in memory.
          await client.query(`SET LOCAL synchronous_commit = off; SET LOCAL maintenance_work_mem = '256MB'`);
          for (const step of STEPS[name](sizes)) {
            const timing = { database: name, table: step.table, ...(await loadTable(client, step)) };
            done.push(timing);
          }
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
        for (const timing of done) {
          const started = performance.now();
          await client.query(`VACUUM (ANALYZE) "${timing.table}"`);
          timing.indexSeconds += (performance.now() - started) / 1000;
          onTable?.(timing);
        }
        return done;
      }),
    );
    return timings.flat();
  } finally {
    await Promise.all([...clients.values()].map((client) => client.end().catch(() => {})));
  }
}

/**
 * Inserts one step's rows with the table's secondary indexes and foreign keys set aside, then
 * puts them back: building an index once over a million rows is several times faster than
 * updating it a million times, and one anti-join checks a foreign key faster than a million
 * lookups. Unique indexes stay, since ON CONFLICT relies on them. Inside the caller's
 * transaction, so nobody sees the table without them.
 */
async function loadTable(
  client: pg.Client,
  step: Step,
): Promise<{ rows: number; loadSeconds: number; indexSeconds: number }> {
  const table = `"${step.table}"`;
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
       FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass AND NOT x.indisunique`,
    [table],
  );
  const { rows: foreignKeys } = await client.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'`,
    [table],
  );
  for (const key of foreignKeys) await client.query(`ALTER TABLE ${table} DROP CONSTRAINT "${key.name}"`);
  for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);

  let started = performance.now();
  const result = await client.query(step.sql);
  const loadSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  for (const index of indexes) await client.query(index.definition);
  for (const key of foreignKeys)
    await client.query(`ALTER TABLE ${table} ADD CONSTRAINT "${key.name}" ${key.definition}`);
  return { rows: result.rowCount ?? 0, loadSeconds, indexSeconds: (performance.now() - started) / 1000 };
}

/** The `parseArgs` options that set a graph's sizes (`--events`, `--actors`, `--claims`, `--statements`, `--seed`). */
export const GRAPH_SIZE_OPTIONS = {
  events: { type: 'string', default: String(DEFAULT_SIZES.events) },
  actors: { type: 'string', default: String(DEFAULT_SIZES.actors) },
  claims: { type: 'string', default: String(DEFAULT_SIZES.claims) },
  statements: { type: 'string', default: String(DEFAULT_SIZES.statements) },
  seed: { type: 'string', default: String(DEFAULT_SIZES.seed) },
} as const;

/** The sizes those options were given, checked (throws RangeError on a bad one). */
export function graphSizesFromArgs(args: Record<keyof GraphSizes, string | undefined>): GraphSizes {
  const sizes: GraphSizes = {
    events: Number(args.events),
    actors: Number(args.actors),
    claims: Number(args.claims),
    statements: Number(args.statements),
    seed: Number(args.seed),
  };
  checkSizes(sizes);
  return sizes;
}

export function checkSizes(sizes: GraphSizes): void {
  for (const [name, minimum] of Object.entries(MINIMUM_SIZES)) {
    const value = sizes[name as keyof typeof MINIMUM_SIZES];
    if (!Number.isSafeInteger(value) || value < minimum)
      throw new RangeError(`--${name} must be a whole number of at least ${minimum}; got ${value}`);
  }
  if (!Number.isSafeInteger(sizes.seed) || sizes.seed < 0 || sizes.seed > 2 ** 31) {
    throw new RangeError(`--seed must be a whole number from 0 to 2^31; got ${sizes.seed}`);
  }
}

/** The graph's sizes in words, for a log line. */
export const describeSizes = (sizes: GraphSizes) =>
  `${sizes.events} events, ${sizes.actors} actors, ${sizes.claims} claims, ${sizes.statements} statements`;

/** Generates the graph into a launched federation's databases, as its environment names them. */
export function generateGraphInto(env: NodeJS.ProcessEnv, sizes: GraphSizes): Promise<TableTiming[]> {
  return generateGraph({
    urls: {
      events: env.EVENTS_DATABASE_URL!,
      actors: env.ACTORS_DATABASE_URL!,
      statements: env.STATEMENTS_DATABASE_URL!,
    },
    sizes,
  });
}
