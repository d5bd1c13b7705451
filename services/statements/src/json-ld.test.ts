import { describe, expect, it } from 'vitest';
import { claimJsonLd, type JsonLdSource, type JsonLdStatement } from './json-ld';

const later: JsonLdSource = {
  id: 's2',
  title: 'Kyiv denies a part in it',
  url: null,
  publisher: null,
  publishedAt: new Date('2023-05-24T00:00:00Z'),
  language: 'en',
};
const first: JsonLdSource = {
  id: 's1',
  title: 'Raid in Belgorod',
  url: 'https://example.org/raid',
  publisher: 'A wire',
  publishedAt: new Date('2023-05-23T00:00:00Z'),
  language: 'en',
};
const statement = (
  id: string,
  stance: string,
  speakerId: string,
  source: typeof first,
  quote: string | null,
): JsonLdStatement => ({
  id,
  stance,
  quote,
  paraphrase: quote ? null : 'In his words, nothing of the kind happened.',
  saidAt: null,
  speakerId,
  source,
});
const claim = {
  id: 'c1',
  text: 'Ukrainian forces carried out the raid.',
  question: 'Who carried out the raid?',
  eventId: 'e1',
  createdAt: new Date('2023-05-25T00:00:00Z'),
};

describe('claimJsonLd', () => {
  const document = claimJsonLd(
    claim,
    [
      statement('t1', 'ASSERTS', 'a1', later, 'Ukrainian armed formations'),
      statement('t2', 'DENIES', 'a2', first, null),
      statement('t3', 'ASSERTS', 'a3', first, 'sabotage group'),
    ],
    new Map([
      ['a1', { id: 'a1', name: 'Vyacheslav Gladkov', kind: 'PERSON', wikidataId: 'Q4347985' }],
      ['a2', { id: 'a2', name: 'Ministry of Defence of Ukraine', kind: 'ORGANIZATION', wikidataId: null }],
    ]),
  );

  it('is a schema.org Claim with its text and the event it is about', () => {
    expect(document).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'Claim',
      text: 'Ukrainian forces carried out the raid.',
      about: { '@type': 'Event', '@id': 'urn:newsfacts:event:e1' },
    });
  });

  it('names as authors those who assert it, with Wikidata where known, and only by id where the actor is not known', () => {
    expect(document.author).toEqual([
      {
        '@type': 'Person',
        '@id': 'urn:newsfacts:actor:a1',
        name: 'Vyacheslav Gladkov',
        sameAs: 'https://www.wikidata.org/wiki/Q4347985',
      },
      { '@id': 'urn:newsfacts:actor:a3' },
    ]);
  });

  it('gives every report that carried it, the earliest as its first appearance', () => {
    expect((document.firstAppearance as { headline: string }).headline).toBe('Raid in Belgorod');
    expect((document.appearance as Array<{ '@id': string }>).map((source) => source['@id'])).toEqual([
      'urn:newsfacts:source:s1',
      'urn:newsfacts:source:s2',
    ]);
  });

  it('gives each position as a Quotation with its stance, a paraphrase said to be one, and no review', () => {
    const positions = document.subjectOf as Array<Record<string, unknown>>;
    expect(positions.map((position) => position.disambiguatingDescription)).toEqual([
      'asserts the claim',
      'denies the claim',
      'asserts the claim',
    ]);
    expect(positions[1]).toMatchObject({
      '@type': 'Quotation',
      creator: { '@type': 'Organization', name: 'Ministry of Defence of Ukraine' },
      description: 'A paraphrase, not the speaker’s own words.',
    });
    expect(JSON.stringify(document)).not.toMatch(/ClaimReview|reviewRating/);
  });
});
