// The shape of a seed dataset: one report's facts, split by the subgraph that owns them.
// References between subgraphs are by slug here; each service's seed step turns slugs into
// the name-based UUIDs of packages/platform/src/ids.ts.

export type DatePrecision = 'EXACT' | 'DAY' | 'MONTH' | 'YEAR';

export interface SeedPlace {
  slug: string;
  name: string;
  region: string | null;
  countryCode: string; // ISO 3166-1 alpha-2
  country: string;
  latitude: number | null;
  longitude: number | null;
  geoPrecision: 'POINT' | 'SETTLEMENT' | 'NEAR_SETTLEMENT' | 'DISTRICT' | 'REGION' | 'COUNTRY';
}

export interface SeedEvent {
  slug: string;
  title: string;
  summary: string;
  kind:
    | 'INCURSION' | 'ARMED_CLASH' | 'ATTACK_ON_BORDER_POST' | 'SHELLING' | 'AIR_STRIKE'
    | 'DRONE_STRIKE' | 'SABOTAGE' | 'BOMBING' | 'PROTEST' | 'OTHER';
  startedAt: string | null; // ISO 8601
  endedAt: string | null;
  datePrecision: DatePrecision;
  place: string | null; // SeedPlace.slug
  parent: string | null; // SeedEvent.slug
  participants: Array<{
    actor: string; // SeedActor.slug
    role:
      | 'ATTACKER' | 'ALLEGED_ATTACKER' | 'DEFENDER' | 'TARGET' | 'VICTIM' | 'ACCUSER'
      | 'INVESTIGATOR' | 'COMMENTATOR' | 'ANALYST' | 'BRIEFED';
    note: string | null;
    claim: string | null; // SeedClaim.slug the participation rests on
  }>;
  figures: Array<{
    slug: string;
    metric: 'INJURED' | 'KILLED' | 'DRONES' | 'TANKS';
    value: number;
    qualifier: 'EXACT' | 'AT_LEAST' | 'AT_MOST' | 'APPROXIMATE';
    description: string;
    claim: string | null;
  }>;
}

export interface SeedEventRelation {
  from: string; // SeedEvent.slug
  to: string;
  kind: 'FOLLOWS' | 'RELATED_TO' | 'RESPONSE_TO';
  note: string | null;
}

export interface SeedActor {
  slug: string;
  name: string;
  kind: 'PERSON' | 'ORGANIZATION';
  description: string;
  countryCode: string | null;
  organizationType:
    | 'STATE' | 'GOVERNMENT_BODY' | 'REGIONAL_GOVERNMENT' | 'MILITARY' | 'INTELLIGENCE_AGENCY'
    | 'SECURITY_FORCES' | 'LAW_ENFORCEMENT' | 'ARMED_GROUP' | 'MEDIA' | 'RESEARCH_INSTITUTE' | 'OTHER'
    | null;
  wikidataId: string | null;
  aliases: Array<{
    name: string;
    kind: 'TRANSLITERATION' | 'ALTERNATIVE_NAME' | 'ABBREVIATION' | 'METONYM';
    language: string | null;
  }>;
  affiliations: Array<{ organization: string; title: string; since: string | null; until: string | null }>;
}

export interface SeedSource {
  slug: string;
  publisher: string | null;
  title: string;
  url: string | null;
  publishedAt: string;
  publishedAtPrecision: DatePrecision;
  language: string;
  contentSha256: string | null;
  note: string | null;
}

export type ClaimAspect =
  | 'OCCURRENCE' | 'PERPETRATOR' | 'CASUALTIES' | 'DAMAGE' | 'MOTIVE' | 'CONDUCT' | 'RESPONSE'
  | 'SAFETY' | 'ASSESSMENT';

export interface SeedClaim {
  slug: string;
  event: string; // SeedEvent.slug
  aspect: ClaimAspect;
  question: string;
  text: string;
}

export interface SeedStatement {
  slug: string;
  claim: string; // SeedClaim.slug
  speaker: string; // SeedActor.slug
  stance: 'ASSERTS' | 'SUPPORTS' | 'DENIES' | 'DISPUTES';
  quote: string | null;
  paraphrase: string | null;
  saidAt: string | null;
  saidAtPrecision: DatePrecision | null;
  channel:
    | 'TELEGRAM' | 'TWITTER' | 'TELEVISED_COMMENTS' | 'INTERVIEW' | 'REMARKS_TO_MEDIA'
    | 'WRITTEN_STATEMENT' | 'REPORT' | 'OFFICIAL_ANNOUNCEMENT' | 'UNSPECIFIED';
  channelDetail: string | null;
  outlet: string | null; // SeedActor.slug
  source: string; // SeedSource.slug
  span: { start: number; end: number } | null;
  note: string | null;
}

export interface SeedDataset {
  places: SeedPlace[];
  events: SeedEvent[];
  eventRelations: SeedEventRelation[];
  actors: SeedActor[];
  sources: SeedSource[];
  claims: SeedClaim[];
  statements: SeedStatement[];
}
