// Creating, changing and deleting actors, with their other names and positions. Every write
// validates its whole input first, runs in one transaction with its change-log entry, and
// refuses, changing nothing, whatever it cannot do.
import { randomUUID } from 'node:crypto';
import { newRecordId } from '@newsfacts/platform/ids';
import { z } from 'zod';
import { nameKey } from '@newsfacts/fact-package/names';
import type { PeerClient } from '@newsfacts/platform/peers';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import {
  adminWriterOf,
  assertMayChange,
  changedFields,
  chooseSlug,
  createOnce,
  fieldError,
  FieldErrorCode,
  InputRejected,
  inputRules,
  parseInput,
  recordChange,
  type Referrer,
  rejectInput,
  type SlugTable,
  slugTakenMeanwhile,
  StillReferenced,
  writerOf,
} from '@newsfacts/platform/writes';
import type { ActorsPrisma } from './db';
import { ActorKind, AliasKind, OrganizationType } from './generated/prisma/enums.ts';
import type { Actor } from './generated/prisma/client.ts';

const MAX_ALIASES = 100;
const MAX_AFFILIATIONS = 100;

const date = z
  .union([z.date(), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'a date, YYYY-MM-DD' })])
  .transform((value, context) => {
    const parsed = value instanceof Date ? value : new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(parsed.getTime())) {
      context.addIssue({ code: 'custom', message: 'not a calendar date' });
      return z.NEVER;
    }
    return parsed;
  });

const alias = z.object({
  name: inputRules.name,
  kind: z.enum(Object.values(AliasKind) as [AliasKind, ...AliasKind[]]),
  language: inputRules.language.nullish(),
});

const affiliation = z
  .object({
    organization: z.string().min(1).max(200),
    title: inputRules.text(300),
    since: date.nullish(),
    until: date.nullish(),
  })
  .refine((value) => !value.since || !value.until || value.since <= value.until, {
    message: 'until must not be before since',
    path: ['until'],
  });

const actorFields = {
  slug: inputRules.slug,
  name: inputRules.name,
  kind: z.enum(Object.values(ActorKind) as [ActorKind, ...ActorKind[]]),
  description: inputRules.text(5_000),
  countryCode: inputRules.countryCode.nullish(),
  organizationType: z.enum(Object.values(OrganizationType) as [OrganizationType, ...OrganizationType[]]).nullish(),
  wikidataId: z
    .string()
    .regex(/^Q[1-9]\d{0,11}$/, { message: 'a Wikidata item id, e.g. Q1234' })
    .nullish(),
  aliases: z
    .array(alias)
    .max(MAX_ALIASES, { message: `at most ${MAX_ALIASES} other names` })
    .nullish(),
  affiliations: z
    .array(affiliation)
    .max(MAX_AFFILIATIONS, { message: `at most ${MAX_AFFILIATIONS} positions` })
    .nullish(),
};

const createInput = z
  .object({ ...actorFields, slug: actorFields.slug.nullish(), externalId: inputRules.externalId.nullish() })
  .refine((actor) => actor.kind === 'ORGANIZATION' || !actor.organizationType, {
    message: 'only organisations have an organizationType',
    path: ['organizationType'],
  });

// An update names the record and gives any of its fields.
const updateInput = z.object(actorFields).partial().extend({ id: inputRules.id });

type AliasValue = z.output<typeof alias>;
type AffiliationValue = z.output<typeof affiliation>;

/** No name twice in one actor's other names (the database would refuse the second). */
function checkAliases(aliases: AliasValue[] | null | undefined): void {
  const seen = new Set<string>();
  const errors = (aliases ?? []).flatMap((value, index) => {
    if (seen.has(value.name)) {
      return [
        fieldError(['input', 'aliases', index, 'name'], FieldErrorCode.TAKEN, `"${value.name}" is listed twice.`),
      ];
    }
    seen.add(value.name);
    return [];
  });
  if (errors.length) throw new InputRejected(errors);
}

/** Each position's organisation, by id or slug: an organisation this service holds. */
async function resolveOrganizations(
  prisma: ActorsPrisma,
  affiliations: AffiliationValue[] | null | undefined,
): Promise<string[]> {
  if (!affiliations?.length) return [];
  const keys = affiliations.map((value) => value.organization);
  const ids = keys.filter((key) => inputRules.id.safeParse(key).success);
  const found = await prisma.actor.findMany({
    where: { OR: [{ id: { in: ids } }, { slug: { in: keys } }] },
    select: { id: true, slug: true, kind: true },
  });
  const errors = [];
  const resolved: string[] = [];
  for (const [index, key] of keys.entries()) {
    const organization = found.find((actor) => actor.id === key || actor.slug === key);
    const field = ['input', 'affiliations', index, 'organization'];
    if (!organization)
      errors.push(fieldError(field, FieldErrorCode.UNKNOWN_REFERENCE, `No actor has the id or slug "${key}".`));
    else if (organization.kind !== 'ORGANIZATION') {
      errors.push(fieldError(field, FieldErrorCode.INVALID, `"${key}" is a person, not an organisation.`));
    } else resolved.push(organization.id);
  }
  if (errors.length) throw new InputRejected(errors);
  return resolved;
}

/** The actors' slugs, for the platform's chooseSlug. */
const actorSlugs = (prisma: ActorsPrisma): SlugTable => ({
  holderOf: (slug) => prisma.actor.findUnique({ where: { slug }, select: { id: true } }),
  startingWith: (base) => prisma.actor.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } }),
});

const listRows = (
  actorId: string,
  aliases: AliasValue[],
  affiliations: AffiliationValue[],
  organizationIds: string[],
) => ({
  aliases: aliases.map((value) => ({
    id: randomUUID(),
    actorId,
    name: value.name,
    nameKey: nameKey(value.name),
    kind: value.kind,
    language: value.language ?? null,
  })),
  affiliations: affiliations.map((value, index) => ({
    id: randomUUID(),
    memberId: actorId,
    organizationId: organizationIds[index]!,
    title: value.title,
    since: value.since ?? null,
    until: value.until ?? null,
  })),
});

/** The part of an actor a repeat create is compared on. */
const comparable = (actor: {
  name: string;
  kind: string;
  description: string;
  countryCode?: string | null;
  organizationType?: string | null;
  wikidataId?: string | null;
}) =>
  JSON.stringify([
    actor.name,
    actor.kind,
    actor.description,
    actor.countryCode ?? null,
    actor.organizationType ?? null,
    actor.wikidataId ?? null,
  ]);

export async function createActor(
  prisma: ActorsPrisma,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Actor> {
  const writer = writerOf(principal);
  const input = parseInput(createInput, rawInput);
  checkAliases(input.aliases);

  return createOnce({
    what: 'actor',
    externalId: input.externalId,
    findByExternalId: (externalId) =>
      prisma.actor.findUnique({ where: { createdBy_externalId: { createdBy: writer, externalId } } }),
    isSameAs: (existing) => comparable(existing) === comparable(input),
    onTaken: slugTakenMeanwhile,
    create: async () => {
      const organizationIds = await resolveOrganizations(prisma, input.affiliations);
      const slug = await chooseSlug(actorSlugs(prisma), input.slug, input.name, 'actor');
      const id = newRecordId('actor', writer, input.externalId);
      const fields = {
        slug,
        name: input.name,
        kind: input.kind,
        description: input.description,
        countryCode: input.countryCode ?? null,
        organizationType: input.organizationType ?? null,
        wikidataId: input.wikidataId ?? null,
      };
      const lists = listRows(id, input.aliases ?? [], input.affiliations ?? [], organizationIds);
      return prisma.$transaction(async (tx) => {
        const actor = await tx.actor.create({
          data: {
            id,
            ...fields,
            nameKey: nameKey(fields.name),
            createdBy: writer,
            externalId: input.externalId ?? null,
          },
        });
        if (lists.aliases.length) await tx.alias.createMany({ data: lists.aliases });
        if (lists.affiliations.length) await tx.affiliation.createMany({ data: lists.affiliations });
        await recordChange(tx, {
          entityType: 'Actor',
          entityId: id,
          operation: 'CREATE',
          by: writer,
          fields: [
            ...Object.keys(fields),
            ...(input.aliases ? ['aliases'] : []),
            ...(input.affiliations ? ['affiliations'] : []),
          ],
        });
        return actor;
      });
    },
  });
}

export async function updateActor(
  prisma: ActorsPrisma,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Actor> {
  const input = parseInput(updateInput, rawInput);
  const actor = await prisma.actor.findUnique({ where: { id: input.id } });
  if (!actor) return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No actor has the id ${input.id}.`);
  const writer = assertMayChange(principal, actor, `Actor ${actor.id}`);
  checkAliases(input.aliases);
  const kind = input.kind ?? actor.kind;
  const organizationType = input.organizationType === undefined ? actor.organizationType : input.organizationType;
  if (kind === 'PERSON' && organizationType) {
    rejectInput(['input', 'organizationType'], FieldErrorCode.INVALID, 'only organisations have an organizationType');
  }
  const organizationIds = await resolveOrganizations(prisma, input.affiliations);
  const slug =
    input.slug === undefined
      ? undefined
      : await chooseSlug(actorSlugs(prisma), input.slug, actor.name, 'actor', actor.id);
  const given = {
    slug,
    name: input.name,
    kind: input.kind,
    description: input.description,
    countryCode: input.countryCode,
    organizationType: input.organizationType,
    wikidataId: input.wikidataId,
  };
  const fields = [
    ...changedFields(actor, given),
    ...(input.aliases ? ['aliases'] : []),
    ...(input.affiliations ? ['affiliations'] : []),
  ];
  if (!fields.length) return actor;
  const lists = listRows(actor.id, input.aliases ?? [], input.affiliations ?? [], organizationIds);
  return prisma.$transaction(async (tx) => {
    const updated = await tx.actor.update({
      where: { id: actor.id },
      data: { ...given, ...(given.name === undefined ? {} : { nameKey: nameKey(given.name) }) },
    });
    if (input.aliases) {
      await tx.alias.deleteMany({ where: { actorId: actor.id } });
      await tx.alias.createMany({ data: lists.aliases });
    }
    if (input.affiliations) {
      await tx.affiliation.deleteMany({ where: { memberId: actor.id } });
      await tx.affiliation.createMany({ data: lists.affiliations });
    }
    await recordChange(tx, { entityType: 'Actor', entityId: actor.id, operation: 'UPDATE', by: writer, fields });
    return updated;
  });
}

/** The first few records, here and in the other subgraphs, that still refer to an actor. */
async function referrersOf(prisma: ActorsPrisma, peers: PeerClient, principal: ForwardedPrincipal | null, id: string) {
  const ask = async (peer: 'events' | 'statements') => {
    const field = peer === 'events' ? 'referrersInEvents' : 'referrersInStatements';
    const data = await peers.query<{ _entities: Array<Record<string, Referrer[]> | null> }>(
      peer,
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on Actor { ${field}(first: 20) { type id service } } }
      }`,
      { representations: [{ __typename: 'Actor', id }] },
      principal,
    );
    return data._entities[0]?.[field] ?? [];
  };
  const members = await prisma.affiliation.findMany({ where: { organizationId: id }, select: { id: true }, take: 20 });
  const [inEvents, inStatements] = await Promise.all([ask('events'), ask('statements')]);
  return [
    ...members.map((member) => ({ type: 'Affiliation', id: member.id, service: 'actors' })),
    ...inEvents,
    ...inStatements,
  ];
}

export async function deleteActor(
  prisma: ActorsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<string> {
  const input = parseInput(z.object({ id: inputRules.id }), rawInput);
  const actor = await prisma.actor.findUnique({ where: { id: input.id } });
  if (!actor) return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No actor has the id ${input.id}.`);
  const writer = assertMayChange(principal, actor, `Actor ${actor.id}`);
  // Asked before deleting: a service that cannot answer refuses the delete rather than risk a dangling reference.
  const referrers = await referrersOf(prisma, peers, principal, actor.id);
  if (referrers.length) {
    throw new StillReferenced(
      referrers,
      'actor',
      'merge it into another actor instead, or remove those references first.',
    );
  }
  await prisma.$transaction(async (tx) => {
    await tx.actor.delete({ where: { id: actor.id } });
    await recordChange(tx, { entityType: 'Actor', entityId: actor.id, operation: 'DELETE', by: writer, fields: [] });
  });
  return actor.id;
}

/**
 * Folds one actor into another, as Wikidata merges items: the merged actor's name and other
 * names become the survivor's other names, its positions and members move over, and it becomes
 * a redirect, so its old id and slug resolve to the survivor forever. Needs an admin key. Safe to
 * retry: merging an actor already merged into the same survivor answers with the survivor.
 */
export async function mergeActors(
  prisma: ActorsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Actor> {
  const input = parseInput(z.object({ from: inputRules.id, into: inputRules.id }), rawInput);
  const writer = adminWriterOf(principal, 'Merging actors');
  const survivorOf = async (id: string) =>
    (await prisma.actorRedirect.findUnique({ where: { fromId: id } }))?.toId ?? id;
  const [fromId, intoId] = [input.from, await survivorOf(input.into)];
  if (fromId === intoId)
    rejectInput(['input', 'into'], FieldErrorCode.INVALID, 'An actor cannot be merged into itself.');
  const done = await prisma.actorRedirect.findUnique({ where: { fromId } });
  if (done) {
    if ((await survivorOf(done.toId)) === intoId) {
      // A retry finishes what an earlier attempt may have left: the other services' references.
      await followInOtherServices(peers, principal, fromId, intoId);
      return (await prisma.actor.findUnique({ where: { id: intoId } }))!;
    }
    rejectInput(['input', 'from'], FieldErrorCode.CONFLICT, `Actor ${fromId} was already merged into ${done.toId}.`);
  }
  const [from, into] = await Promise.all([
    prisma.actor.findUnique({ where: { id: fromId }, include: { aliases: true } }),
    prisma.actor.findUnique({ where: { id: intoId }, include: { aliases: true } }),
  ]);
  if (!from) return rejectInput(['input', 'from'], FieldErrorCode.NOT_FOUND, `No actor has the id ${fromId}.`);
  if (!into) return rejectInput(['input', 'into'], FieldErrorCode.NOT_FOUND, `No actor has the id ${intoId}.`);
  if (from.kind !== into.kind) {
    rejectInput(
      ['input', 'into'],
      FieldErrorCode.INVALID,
      `A ${from.kind.toLowerCase()} cannot be merged into a ${into.kind.toLowerCase()}.`,
    );
  }
  const known = new Set([into.name, ...into.aliases.map((alias) => alias.name)]);
  const newNames = [
    { name: from.name, kind: 'ALTERNATIVE_NAME' as const, language: null },
    ...from.aliases.map((alias) => ({ name: alias.name, kind: alias.kind, language: alias.language })),
  ].filter((alias) => !known.has(alias.name) && known.add(alias.name));
  // The other services move their references first: one that cannot be reached refuses the merge
  // with nothing merged here, and references already moved point at an actor that exists.
  await followInOtherServices(peers, principal, from.id, into.id);
  return prisma.$transaction(async (tx) => {
    await tx.alias.createMany({
      data: newNames.map((alias) => ({ id: randomUUID(), actorId: into.id, ...alias, nameKey: nameKey(alias.name) })),
    });
    // Positions move over unless the survivor already holds the same one.
    await tx.$executeRaw`
      UPDATE "Affiliation" a SET "memberId" = ${into.id}::uuid WHERE a."memberId" = ${from.id}::uuid
        AND NOT EXISTS (SELECT 1 FROM "Affiliation" b WHERE b."memberId" = ${into.id}::uuid
                        AND b."organizationId" = a."organizationId" AND b.title = a.title)`;
    await tx.$executeRaw`
      UPDATE "Affiliation" a SET "organizationId" = ${into.id}::uuid WHERE a."organizationId" = ${from.id}::uuid
        AND NOT EXISTS (SELECT 1 FROM "Affiliation" b WHERE b."organizationId" = ${into.id}::uuid
                        AND b."memberId" = a."memberId" AND b.title = a.title)`;
    await tx.actor.delete({ where: { id: from.id } });
    // Redirects to the merged actor now lead to its survivor, so no chain is ever followed twice.
    await tx.actorRedirect.updateMany({ where: { toId: from.id }, data: { toId: into.id } });
    await tx.actorRedirect.create({ data: { fromId: from.id, fromSlug: from.slug, toId: into.id, mergedBy: writer } });
    await recordChange(tx, {
      entityType: 'Actor',
      entityId: from.id,
      operation: 'MERGE',
      by: writer,
      fields: [],
      survivorId: into.id,
    });
    await recordChange(tx, {
      entityType: 'Actor',
      entityId: into.id,
      operation: 'UPDATE',
      by: writer,
      fields: ['aliases', 'affiliations'],
    });
    return (await tx.actor.findUnique({ where: { id: into.id } }))!;
  });
}

/** Asks events and statements to move their references from the merged actor to its survivor. */
async function followInOtherServices(
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  from: string,
  into: string,
) {
  await Promise.all(
    (['events', 'statements'] as const).map((peer) =>
      peers.query(
        peer,
        `mutation($from: ID!, $into: ID!) { moved: followActorMergeIn${peer === 'events' ? 'Events' : 'Statements'}(from: $from, into: $into) }`,
        { from, into },
        principal,
        { asWriter: true },
      ),
    ),
  );
}
