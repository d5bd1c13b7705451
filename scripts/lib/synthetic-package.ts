// A large fact package made up for measuring and testing imports: one report whose text is
// `statements` sentences, each quoted by one statement, about one event and a few claims, said
// by a few actors. Deterministic: the same arguments give the same package.
import type { FactPackageInput } from '@newsfacts/fact-package/format';

export function syntheticPackage(options: { id: string; statements: number; actors?: number }): FactPackageInput {
  const actorCount = options.actors ?? 20;
  const sentence = (index: number) =>
    `Witness ${index} said the shelling near the border went on for ${index % 7} hours after the raid.`;
  const text = Array.from({ length: options.statements }, (_, index) => sentence(index)).join(' ');
  return {
    format: 'newsfacts.fact-package',
    version: 1,
    id: options.id,
    source: {
      key: 'report',
      title: `A long synthetic report (${options.statements} statements)`,
      publishedAt: '2023-05-24T00:00:00Z',
      publishedAtPrecision: 'DAY',
      language: 'en',
      text,
      note: 'Generated for benchmarks and tests; not a real report.',
    },
    places: [{ key: 'border', name: 'A border district', countryCode: 'RU', geoPrecision: 'DISTRICT' }],
    actors: Array.from({ length: actorCount }, (_, index) => ({
      key: `witness-${index}`,
      name: `Synthetic Witness ${options.id} ${index}`,
      kind: 'PERSON' as const,
      description: 'A witness made up for a synthetic package.',
    })),
    events: [
      {
        key: 'shelling',
        title: `Shelling after the raid (${options.id})`,
        summary: 'Made up for a synthetic package.',
        kind: 'SHELLING',
        startedAt: '2023-05-23T00:00:00Z',
        datePrecision: 'DAY',
        place: 'border',
        participants: [{ actor: 'witness-0', role: 'COMMENTATOR' }],
      },
    ],
    claims: Array.from({ length: 7 }, (_, hours) => ({
      key: `hours-${hours}`,
      event: 'shelling',
      aspect: 'CONDUCT' as const,
      question: 'How long did the shelling go on?',
      text: `The shelling went on for ${hours} hours.`,
    })),
    statements: Array.from({ length: options.statements }, (_, index) => ({
      key: `statement-${index}`,
      claim: `hours-${index % 7}`,
      speaker: `witness-${index % actorCount}`,
      stance: 'ASSERTS' as const,
      quote: sentence(index),
      channel: 'REPORT' as const,
    })),
  };
}
