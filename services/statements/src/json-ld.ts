// A claim as schema.org JSON-LD (https://schema.org/Claim), for search engines and fact-check
// tools: its text, who put it forward, where it appeared and first appeared, and each position
// taken on it (a Quotation of the speaker's words, its stance in disambiguatingDescription).
//
// No ClaimReview: that type carries a reviewer's verdict (reviewRating), and this graph records
// who said what, not which side is right. When verdicts are recorded, a ClaimReview follows
// Google's field list (claimReviewed, reviewRating with alternateName, author, datePublished,
// url, itemReviewed as this Claim); until then none is made up.

export interface JsonLdActor {
  id: string;
  name: string;
  kind: 'PERSON' | 'ORGANIZATION' | string;
  wikidataId: string | null;
}

export interface JsonLdSource {
  id: string;
  title: string;
  url: string | null;
  publisher: string | null;
  publishedAt: Date;
  language: string;
}

export interface JsonLdStatement {
  id: string;
  stance: string;
  quote: string | null;
  paraphrase: string | null;
  saidAt: Date | null;
  speakerId: string;
  source: JsonLdSource;
}

export interface JsonLdClaim {
  id: string;
  text: string;
  question: string;
  eventId: string;
  createdAt: Date;
}

const STANCE_WORDS: Record<string, string> = {
  ASSERTS: 'asserts the claim',
  SUPPORTS: 'supports the claim',
  DENIES: 'denies the claim',
  DISPUTES: 'disputes the claim',
};

/** Stances that put a claim forward: their speakers are its authors. */
const PUTS_FORWARD = new Set(['ASSERTS']);

const urn = (kind: string, id: string) => `urn:newsfacts:${kind}:${id}`;

function actorNode(actor: JsonLdActor | undefined, id: string) {
  if (!actor) return { '@id': urn('actor', id) };
  return {
    '@type': actor.kind === 'PERSON' ? 'Person' : 'Organization',
    '@id': urn('actor', actor.id),
    name: actor.name,
    ...(actor.wikidataId ? { sameAs: `https://www.wikidata.org/wiki/${actor.wikidataId}` } : {}),
  };
}

function sourceNode(source: JsonLdSource) {
  return {
    '@type': 'NewsArticle',
    '@id': urn('source', source.id),
    headline: source.title,
    ...(source.url ? { url: source.url } : {}),
    datePublished: source.publishedAt.toISOString(),
    inLanguage: source.language,
    ...(source.publisher ? { publisher: { '@type': 'Organization', name: source.publisher } } : {}),
  };
}

export function claimJsonLd(
  claim: JsonLdClaim,
  statements: JsonLdStatement[],
  actors: ReadonlyMap<string, JsonLdActor>,
): Record<string, unknown> {
  const sources = [...new Map(statements.map((statement) => [statement.source.id, statement.source])).values()].sort(
    (a, b) => a.publishedAt.getTime() - b.publishedAt.getTime() || a.id.localeCompare(b.id),
  );
  const authors = [
    ...new Set(statements.filter((statement) => PUTS_FORWARD.has(statement.stance)).map((s) => s.speakerId)),
  ];
  return {
    '@context': 'https://schema.org',
    '@type': 'Claim',
    '@id': urn('claim', claim.id),
    identifier: claim.id,
    text: claim.text,
    about: { '@type': 'Event', '@id': urn('event', claim.eventId) },
    dateCreated: claim.createdAt.toISOString(),
    ...(authors.length ? { author: authors.map((id) => actorNode(actors.get(id), id)) } : {}),
    ...(sources.length
      ? { firstAppearance: sourceNode(sources[0]!), appearance: sources.map((source) => sourceNode(source)) }
      : {}),
    subjectOf: statements.map((statement) => ({
      '@type': 'Quotation',
      '@id': urn('statement', statement.id),
      text: statement.quote ?? statement.paraphrase,
      ...(statement.quote ? {} : { description: 'A paraphrase, not the speaker’s own words.' }),
      creator: actorNode(actors.get(statement.speakerId), statement.speakerId),
      disambiguatingDescription: STANCE_WORDS[statement.stance] ?? statement.stance.toLowerCase(),
      ...(statement.saidAt ? { dateCreated: statement.saidAt.toISOString() } : {}),
      isBasedOn: { '@id': urn('source', statement.source.id) },
    })),
  };
}
