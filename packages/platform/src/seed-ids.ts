import { newRecordId, uuidFromName } from './ids';

/** Who the seed package is imported as: `createdBy` of every seed record. */
export const SEED_WRITER = 'seed';
/** The seed package's `id` (prisma/seed/belgorod-incursion-2023-05-23.facts.json). */
export const SEED_PACKAGE_ID = 'belgorod-incursion-2023-05-23';

/** The id the importer gives the seed package's record with this key: stable across runs and services. */
const imported = (kind: string) => (key: string) => newRecordId(kind, SEED_WRITER, `${SEED_PACKAGE_ID}/${key}`);

/**
 * The ids of the seed's records, by their keys in the seed package. Top-level records get the
 * ids an import gives them; the parts of records (participants, figures, names, positions,
 * links) get ids only the direct fixture writer uses (tests of one subgraph alone).
 */
export const seedId = {
  place: imported('place'),
  event: imported('event'),
  actor: imported('actor'),
  source: imported('source'),
  claim: imported('claim'),
  statement: imported('statement'),
  eventRelation: (from: string, kind: string, to: string) => uuidFromName(`event-relation:${from}:${kind}:${to}`),
  participant: (event: string, actor: string, role: string) => uuidFromName(`participant:${event}:${actor}:${role}`),
  figure: (event: string, index: number) => uuidFromName(`figure:${event}:${index}`),
  alias: (actor: string, name: string) => uuidFromName(`alias:${actor}:${name}`),
  affiliation: (member: string, organization: string, title: string) =>
    uuidFromName(`affiliation:${member}:${organization}:${title}`),
};

export const optionalId = (make: (key: string) => string, key: string | null) => (key ? make(key) : null);
