import { uuidFromName } from './ids';

/** The id each seed record gets, derived from its kind and slug: stable across runs and services. */
export const seedId = {
  place: (slug: string) => uuidFromName(`place:${slug}`),
  event: (slug: string) => uuidFromName(`event:${slug}`),
  eventRelation: (from: string, kind: string, to: string) => uuidFromName(`event-relation:${from}:${kind}:${to}`),
  participant: (event: string, actor: string, role: string) => uuidFromName(`participant:${event}:${actor}:${role}`),
  figure: (slug: string) => uuidFromName(`figure:${slug}`),
  actor: (slug: string) => uuidFromName(`actor:${slug}`),
  alias: (actor: string, name: string) => uuidFromName(`alias:${actor}:${name}`),
  affiliation: (member: string, organization: string, title: string) =>
    uuidFromName(`affiliation:${member}:${organization}:${title}`),
  source: (slug: string) => uuidFromName(`source:${slug}`),
  claim: (slug: string) => uuidFromName(`claim:${slug}`),
  statement: (slug: string) => uuidFromName(`statement:${slug}`),
};

export const optionalId = (make: (slug: string) => string, slug: string | null) => (slug ? make(slug) : null);
