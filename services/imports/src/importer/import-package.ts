// Imports one fact package: checks each record, resolves every reference (local keys, ids,
// slugs, actors' names), matches what the graph already holds, then asks the owning services to
// write the rest, in dependency order: the source, places, actors, events, claims, the events'
// participants and figures (which rest on claims), statements.
//
// No transaction spans the services, so an import is made safe to repeat instead: each record
// is created with an externalId derived from the package's id and the record's key, which gives
// it an id known in advance (newRecordId). A record an earlier run made is found by that id, and
// a create that races another import of the same package ends with one record (createOnce). An
// import stopped midway therefore completes when run again, creating only what is missing.
import { checkDate, type DatePrecision } from '@newsfacts/platform/dated';
import { newRecordId } from '@newsfacts/platform/ids';
import { placeStatement, searchable, type Span } from '@newsfacts/platform/quotes';
import { fieldError, FieldErrorCode, type FieldError } from '@newsfacts/platform/writes';
import {
  packageActor,
  packageClaim,
  packageEvent,
  packagePlace,
  packageStatement,
  type PackageEnvelope,
  type PackageClaim,
  type PackageEvent,
  type PackageSource,
  type PackageStatement,
} from '@newsfacts/fact-package/format';
import { nameKey } from '@newsfacts/fact-package/names';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { GraphClient } from './graph-client';
import {
  findActorsNamed,
  findClaimsOf,
  findRecords,
  keyOf,
  type Found,
  type LookupKind,
  type NameMatches,
} from './lookups';
import { pathOf, type Candidate, type RecordKind, type RecordReport } from './report';
import { writeAll, type Mutation } from './writes';

export interface ImportOptions {
  graph: GraphClient;
  /** The key the records are created by: externalIds, and so ids, are its own. */
  writer: string;
  dryRun: boolean;
  /** Told of each phase's outcomes as they are decided, to keep the job's report current. */
  onProgress?(records: RecordReport[]): Promise<void>;
}

type Reference = string | { id: string } | { slug: string } | { name: string };

/** A record of the package with its report, and its values once they passed the format's rules. */
interface Entry<Values> {
  report: RecordReport;
  values: Values | null;
  /** The id it has if this package (with this key) made it. */
  ownId: string;
}

const KIND_NAME: Record<RecordKind, LookupKind> = {
  SOURCE: 'source',
  PLACE: 'place',
  ACTOR: 'actor',
  EVENT: 'event',
  CLAIM: 'claim',
  STATEMENT: 'statement',
};

const MUTATIONS = {
  source: { service: 'statements', field: 'createSource', inputType: 'CreateSourceInput', recordField: 'source' },
  place: { service: 'events', field: 'createPlace', inputType: 'CreatePlaceInput', recordField: 'place' },
  actor: { service: 'actors', field: 'createActor', inputType: 'CreateActorInput', recordField: 'actor' },
  event: { service: 'events', field: 'createEvent', inputType: 'CreateEventInput', recordField: 'event' },
  eventLists: { service: 'events', field: 'updateEvent', inputType: 'UpdateEventInput', recordField: 'event' },
  claim: { service: 'statements', field: 'createClaim', inputType: 'CreateClaimInput', recordField: 'claim' },
  statement: {
    service: 'statements',
    field: 'createStatement',
    inputType: 'CreateStatementInput',
    recordField: 'statement',
  },
} satisfies Record<string, Mutation>;

// A mutation's input fields where the package's own names differ.
const PACKAGE_FIELD: Record<string, string> = {
  externalId: 'key',
  eventId: 'event',
  claimId: 'claim',
  speakerId: 'speaker',
  outletId: 'outlet',
  sourceId: 'source',
};

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Resolving a reference: the record's id, or why there is none. */
type Resolution = { id: string } | { error: FieldError; candidates?: Candidate[] };

export async function importPackage(pkg: PackageEnvelope, options: ImportOptions): Promise<RecordReport[]> {
  const { graph, writer, dryRun } = options;
  const externalId = (key: string) => `${pkg.id}/${key}`;
  let position = 0;
  const entry = <Values>(
    kind: RecordKind,
    key: string,
    index: number | null,
    values: Values | null,
  ): Entry<Values> => ({
    report: {
      position: position++,
      kind,
      key,
      index,
      outcome: null,
      recordId: null,
      slug: null,
      matchedBy: null,
      matchedName: null,
      candidates: [],
      errors: [],
    },
    values,
    ownId: newRecordId(KIND_NAME[kind], writer, externalId(key)),
  });

  // 1. Each record against the format's rules (the envelope and the source passed already).
  const source = entry<PackageSource>('SOURCE', pkg.source.key, null, pkg.source);
  const sourceText = searchable(pkg.source.text);
  const parseList = <Schema extends z.ZodType>(kind: RecordKind, schema: Schema, raw: unknown[]) => {
    const seen = new Set<string>();
    return raw.map((item, index) => {
      const parsed = schema.safeParse(item);
      const key = typeof (item as { key?: unknown })?.key === 'string' ? (item as { key: string }).key : `#${index}`;
      const record = entry<z.output<Schema>>(kind, key, index, parsed.success ? parsed.data : null);
      if (!parsed.success) {
        record.report.errors = parsed.error.issues.map((issue) =>
          fieldError([...pathOf(record.report), ...issue.path.map(String)], issueCode(issue), issue.message),
        );
      } else if (seen.has(key)) {
        record.values = null;
        record.report.errors = [
          fieldError(
            [...pathOf(record.report), 'key'],
            FieldErrorCode.TAKEN,
            `Another ${kind.toLowerCase()} of this package has the key "${key}".`,
          ),
        ];
      }
      seen.add(key);
      return record;
    });
  };
  const places = parseList('PLACE', packagePlace, pkg.places);
  const actors = parseList('ACTOR', packageActor, pkg.actors);
  const events = parseList('EVENT', packageEvent, pkg.events);
  const claims = parseList('CLAIM', packageClaim, pkg.claims);
  const statements = parseList('STATEMENT', packageStatement, pkg.statements);
  const all: Array<Entry<unknown>> = [source, ...places, ...actors, ...events, ...claims, ...statements];
  const reports = all.map((record) => record.report);
  const reject = (record: Entry<unknown>, errors: FieldError[]) => {
    record.report.outcome = 'REJECTED';
    record.report.errors = errors;
  };
  for (const record of all) if (record.report.errors.length) reject(record, record.report.errors);

  // Rules the format cannot state: dates and their precision, where each quote is.
  checkSource(source);
  for (const event of events) checkEvent(event);
  const spans = new Map<Entry<PackageStatement>, Span | null>();
  for (const statement of statements) {
    const span = checkStatement(statement);
    if (span !== undefined) spans.set(statement, span);
  }
  for (const record of all)
    if (record.report.errors.length && !record.report.outcome) reject(record, record.report.errors);
  const valid = <Values>(records: Array<Entry<Values>>) =>
    records.filter(
      (record): record is Entry<Values> & { values: Values } => record.values !== null && !record.report.outcome,
    );

  // 2. What the graph already holds: this package's records from an earlier run (by their own
  // ids), records named by slug, and every external reference the package makes.
  const wanted: Record<LookupKind, Array<{ id: string } | { slug: string }>> = {
    source: [],
    place: [],
    actor: [],
    event: [],
    claim: [],
    statement: [],
  };
  for (const record of all) {
    if (record.report.outcome) continue;
    const kind = KIND_NAME[record.report.kind];
    wanted[kind].push({ id: record.ownId });
    const slug = (record.values as { slug?: string | null }).slug;
    if (slug) wanted[kind].push({ slug });
  }
  const names: string[] = [];
  const external = (kind: LookupKind, reference: Reference | null | undefined) => {
    if (!reference || typeof reference === 'string') return;
    if ('name' in reference) names.push(reference.name);
    else wanted[kind].push(reference);
  };
  for (const { values } of valid(actors))
    for (const affiliation of values.affiliations ?? []) external('actor', affiliation.organization);
  for (const { values } of valid(events)) {
    external('place', values.place);
    external('event', values.parent);
    for (const participant of values.participants ?? []) {
      external('actor', participant.actor);
      external('claim', participant.claim);
    }
    for (const figure of values.figures ?? []) external('claim', figure.claim);
    for (const relation of values.relations ?? []) external('event', relation.to);
  }
  for (const { values } of valid(claims)) external('event', values.event);
  for (const { values } of valid(statements)) {
    external('claim', values.claim);
    external('actor', values.speaker);
    external('actor', values.outlet);
  }
  const found = Object.fromEntries(
    await Promise.all(
      (Object.keys(wanted) as LookupKind[]).map(
        async (kind) => [kind, await findRecords(graph, kind, wanted[kind])] as const,
      ),
    ),
  ) as Record<LookupKind, Map<string, Found>>;
  for (const { values, report } of valid(actors)) {
    if (
      !found.actor.has(keyOf({ id: newRecordId('actor', writer, externalId(report.key)) })) &&
      !(values.slug && found.actor.has(`slug:${values.slug}`))
    ) {
      names.push(values.name);
    }
  }
  const named = names.length ? await findActorsNamed(graph, names) : new Map<string, NameMatches>();

  // 3. Each record: made by an earlier run, matched, or to be created.
  const settleExisting = (record: Entry<unknown>, matchBySlug: boolean) => {
    const kind = KIND_NAME[record.report.kind];
    const earlier = found[kind].get(keyOf({ id: record.ownId }));
    if (earlier) {
      Object.assign(record.report, {
        outcome: 'UNCHANGED',
        recordId: earlier.id,
        slug: earlier.slug,
        matchedBy: 'EXTERNAL_ID',
      });
      return true;
    }
    const slug = (record.values as { slug?: string | null }).slug;
    const bySlug = matchBySlug && slug ? found[kind].get(`slug:${slug}`) : undefined;
    if (bySlug) {
      Object.assign(record.report, { outcome: 'MATCHED', recordId: bySlug.id, slug: bySlug.slug, matchedBy: 'SLUG' });
      return true;
    }
    return false;
  };
  const toCreate = (record: Entry<unknown>) => {
    record.report.recordId = record.ownId;
  };

  // References: a local key (to a record that must itself have been imported), or the graph's.
  const localIndex = new Map<string, Entry<unknown>>();
  // Every record with a key, refused ones too: a reference to one is NOT_IMPORTED, not unknown.
  for (const record of all) localIndex.set(`${record.report.kind}:${record.report.key}`, record);
  const resolve = (kind: RecordKind, reference: Reference, field: string[]): Resolution => {
    if (typeof reference === 'string') {
      const target = localIndex.get(`${kind}:${reference}`);
      if (!target) {
        return {
          error: fieldError(
            field,
            FieldErrorCode.UNKNOWN_REFERENCE,
            `No ${kind.toLowerCase()} of this package has the key "${reference}"; to name one the graph holds, give {"id": …}${kind === 'CLAIM' ? '' : ' or {"slug": …}'}${kind === 'ACTOR' ? ' or {"name": …}' : ''}.`,
          ),
        };
      }
      const outcome = target.report.outcome;
      if (outcome === 'CREATED' || outcome === 'UNCHANGED' || outcome === 'MATCHED')
        return { id: target.report.recordId! };
      return {
        error: fieldError(
          field,
          FieldErrorCode.NOT_IMPORTED,
          `Refers to ${kind.toLowerCase()} "${reference}" of this package, which was not imported (${outcome ?? 'not yet written'}).`,
        ),
      };
    }
    if ('name' in reference) {
      const candidates = named.get(reference.name)?.candidates ?? [];
      if (candidates.length === 1) return { id: candidates[0]!.id };
      if (!candidates.length) {
        return {
          error: fieldError(
            field,
            FieldErrorCode.UNKNOWN_REFERENCE,
            `No actor is named "${reference.name}" (case, accents and punctuation aside).`,
          ),
        };
      }
      return {
        error: fieldError(
          field,
          FieldErrorCode.AMBIGUOUS_NAME,
          `"${reference.name}" could be any of ${candidates.length} actors: give the id or slug of the one meant.`,
        ),
        candidates: candidates.map(({ id, slug, name, matchedName }) => ({ id, slug, name, matchedName })),
      };
    }
    const record = found[KIND_NAME[kind]].get(keyOf(reference));
    if (record) return { id: record.id };
    const how = 'id' in reference ? `the id ${reference.id}` : `the slug "${reference.slug}"`;
    return { error: fieldError(field, FieldErrorCode.UNKNOWN_REFERENCE, `No ${kind.toLowerCase()} has ${how}.`) };
  };
  /** Resolves a record's references; on the first that fails, the record is refused (or ambiguous) with it. */
  const resolveAll = (
    record: Entry<unknown>,
    references: Array<[RecordKind, Reference | null | undefined, string[]]>,
  ) => {
    const ids: Array<string | null> = [];
    const errors: FieldError[] = [];
    let candidates: Candidate[] = [];
    for (const [kind, reference, field] of references) {
      if (reference == null) {
        ids.push(null);
        continue;
      }
      const resolution = resolve(kind, reference, [...pathOf(record.report), ...field]);
      if ('id' in resolution) ids.push(resolution.id);
      else {
        ids.push(null);
        errors.push(resolution.error);
        if (resolution.candidates) candidates = [...candidates, ...resolution.candidates];
      }
    }
    if (errors.length) {
      record.report.outcome = candidates.length ? 'AMBIGUOUS' : 'REJECTED';
      record.report.errors = errors;
      record.report.candidates = candidates;
      return null;
    }
    return ids;
  };

  /** Writes what is to be created (nothing in a dry run) and records each outcome. */
  const create = async (
    mutation: Mutation,
    batch: Array<{ record: Entry<unknown>; input: Record<string, unknown> }>,
  ) => {
    if (!batch.length) return;
    if (dryRun) {
      for (const { record } of batch) record.report.outcome ??= 'CREATED';
      return;
    }
    const results = await writeAll(
      graph,
      mutation,
      batch.map(({ input }) => input),
    );
    batch.forEach(({ record }, index) => {
      const result = results[index]!;
      if (result.errors.length || !result.record) {
        reject(
          record,
          result.errors.map((error) => toPackagePath(record.report, error)),
        );
        record.report.recordId = null;
        return;
      }
      record.report.recordId = result.record.id;
      record.report.slug = result.record.slug ?? null;
      record.report.outcome ??= 'CREATED';
    });
  };
  const progress = () => options.onProgress?.(reports);

  // The source: this package's from an earlier run, or one with the same text, or new.
  if (!source.report.outcome && !settleExisting(source, false)) {
    const bySlug = source.values!.slug ? found.source.get(`slug:${source.values!.slug}`) : undefined;
    if (bySlug && bySlug.contentSha256 === sha256(source.values!.text)) {
      Object.assign(source.report, { outcome: 'MATCHED', recordId: bySlug.id, slug: bySlug.slug, matchedBy: 'TEXT' });
    } else {
      toCreate(source);
      const { key: _key, ...fields } = source.values!;
      await create(MUTATIONS.source, [
        { record: source, input: { ...fields, externalId: externalId(source.report.key) } },
      ]);
    }
  }
  await progress();

  // Places.
  const newPlaces = valid(places).filter((record) => !settleExisting(record, true));
  newPlaces.forEach(toCreate);
  await create(
    MUTATIONS.place,
    newPlaces.map((record) => {
      const { key, ...fields } = record.values;
      return { record, input: { ...fields, externalId: externalId(key) } };
    }),
  );
  await progress();

  // Actors, organisations before their members (an affiliation names its organisation).
  const pendingActors = valid(actors).filter((record) => {
    if (settleExisting(record, true)) return false;
    const candidates = named.get(record.values.name)?.candidates ?? [];
    if (candidates.length === 1) {
      const [match] = candidates;
      Object.assign(record.report, {
        outcome: 'MATCHED',
        recordId: match!.id,
        slug: match!.slug,
        matchedBy: match!.matchedBy,
        matchedName: match!.matchedName,
      });
      return false;
    }
    if (candidates.length > 1) {
      Object.assign(record.report, {
        outcome: 'AMBIGUOUS',
        candidates: candidates.map(({ id, slug, name, matchedName }) => ({ id, slug, name, matchedName })),
        errors: [
          fieldError(
            [...pathOf(record.report), 'name'],
            FieldErrorCode.AMBIGUOUS_NAME,
            `"${record.values.name}" could be any of ${candidates.length} actors the graph holds: refer to the one meant by {"id"} or {"slug"} instead of listing it.`,
          ),
        ],
      });
      return false;
    }
    toCreate(record);
    return true;
  });
  await inDependencyOrder(
    pendingActors,
    (record) =>
      (record.values.affiliations ?? []).flatMap((affiliation) =>
        typeof affiliation.organization === 'string' ? [`ACTOR:${affiliation.organization}`] : [],
      ),
    async (level) =>
      create(
        MUTATIONS.actor,
        level.flatMap((record) => {
          const affiliations = record.values.affiliations ?? [];
          const ids = resolveAll(
            record,
            affiliations.map((affiliation, index): [RecordKind, Reference, string[]] => [
              'ACTOR',
              affiliation.organization,
              ['affiliations', String(index), 'organization'],
            ]),
          );
          if (!ids) return [];
          const { key, ...fields } = record.values;
          return [
            {
              record,
              input: {
                ...fields,
                externalId: externalId(key),
                affiliations: affiliations.map((affiliation, index) => ({ ...affiliation, organization: ids[index] })),
              },
            },
          ];
        }),
      ),
    (record) =>
      reject(record, [
        fieldError(
          [...pathOf(record.report), 'affiliations'],
          FieldErrorCode.INVALID,
          'Its organisations name each other in a circle; create one first, then add the other with updateActor.',
        ),
      ]),
  );
  await progress();

  // Events, larger before their parts; their lists come once the claims exist.
  const pendingEvents = valid(events).filter((record) => {
    if (settleExisting(record, true)) return false;
    toCreate(record);
    return true;
  });
  await inDependencyOrder(
    pendingEvents,
    (record) => (typeof record.values.parent === 'string' ? [`EVENT:${record.values.parent}`] : []),
    async (level) =>
      create(
        MUTATIONS.event,
        level.flatMap((record) => {
          const ids = resolveAll(record, [
            ['PLACE', record.values.place, ['place']],
            ['EVENT', record.values.parent, ['parent']],
          ]);
          if (!ids) return [];
          const {
            key,
            participants: _participants,
            figures: _figures,
            relations: _relations,
            ...fields
          } = record.values;
          return [{ record, input: { ...fields, externalId: externalId(key), place: ids[0], parent: ids[1] } }];
        }),
      ),
    (record) =>
      reject(record, [
        fieldError(
          [...pathOf(record.report), 'parent'],
          FieldErrorCode.INVALID,
          'The events name each other as parent in a circle.',
        ),
      ]),
  );
  await progress();

  // Claims: one the graph holds on the same event in the same words is the same claim.
  const claimEvents = new Map<Entry<PackageClaim> & { values: PackageClaim }, string>();
  for (const record of valid(claims)) {
    if (settleExisting(record, false)) continue;
    const ids = resolveAll(record, [['EVENT', record.values.event, ['event']]]);
    if (ids) claimEvents.set(record, ids[0]!);
  }
  // Only an event that existed before this import can have claims to match.
  const createdNow = new Set(
    events.filter((event) => event.report.outcome === 'CREATED').map((event) => event.report.recordId),
  );
  const heldEvents = [...new Set(claimEvents.values())].filter((id) => !createdNow.has(id));
  const heldClaims = heldEvents.length ? await findClaimsOf(graph, heldEvents) : new Map<string, Found[]>();
  const newClaims: Array<{ record: Entry<unknown>; input: Record<string, unknown> }> = [];
  for (const [record, eventId] of claimEvents) {
    const same = (heldClaims.get(eventId) ?? []).find(
      (claim) => claim.aspect === record.values.aspect && nameKey(claim.text ?? '') === nameKey(record.values.text),
    );
    if (same) {
      Object.assign(record.report, { outcome: 'MATCHED', recordId: same.id, matchedBy: 'TEXT' });
      continue;
    }
    toCreate(record);
    const { key, event: _event, ...fields } = record.values;
    newClaims.push({ record, input: { ...fields, eventId, externalId: externalId(key) } });
  }
  await create(MUTATIONS.claim, newClaims);
  await progress();

  // The events' participants, figures and links: the whole of each list the package gives,
  // which the events service leaves alone when it is what the event already has.
  const listed = events.filter(
    (record): record is Entry<PackageEvent> & { values: PackageEvent } =>
      record.values !== null &&
      (record.report.outcome === 'CREATED' || record.report.outcome === 'UNCHANGED') &&
      Boolean(record.values.participants || record.values.figures || record.values.relations),
  );
  const listUpdates = listed.flatMap((record) => {
    const { participants, figures, relations } = record.values;
    const references: Array<[RecordKind, Reference | null | undefined, string[]]> = [
      ...(participants ?? []).flatMap(
        (participant, index): Array<[RecordKind, Reference | null | undefined, string[]]> => [
          ['ACTOR', participant.actor, ['participants', String(index), 'actor']],
          ['CLAIM', participant.claim, ['participants', String(index), 'claim']],
        ],
      ),
      ...(figures ?? []).map((figure, index): [RecordKind, Reference | null | undefined, string[]] => [
        'CLAIM',
        figure.claim,
        ['figures', String(index), 'claim'],
      ]),
      ...(relations ?? []).map((relation, index): [RecordKind, Reference | null | undefined, string[]] => [
        'EVENT',
        relation.to,
        ['relations', String(index), 'to'],
      ]),
    ];
    const before = record.report.outcome;
    const ids = resolveAll(record, references);
    if (!ids) {
      // The event itself exists: say what of it could not be recorded.
      record.report.errors = record.report.errors.map((error) => ({
        ...error,
        message: `${error.message} The event ${before === 'CREATED' ? 'was created' : 'exists'} without its ${error.field[2]}.`,
      }));
      return [];
    }
    let at = 0;
    const input: Record<string, unknown> = { id: record.report.recordId };
    if (participants)
      input.participants = participants.map((participant) => ({ ...participant, actor: ids[at++], claim: ids[at++] }));
    if (figures) input.figures = figures.map((figure) => ({ ...figure, claim: ids[at++] }));
    if (relations) input.relations = relations.map((relation) => ({ ...relation, to: ids[at++] }));
    return [{ record, input, before }];
  });
  if (!dryRun && listUpdates.length) {
    const results = await writeAll(
      graph,
      MUTATIONS.eventLists,
      listUpdates.map(({ input }) => input),
    );
    listUpdates.forEach(({ record }, index) => {
      const result = results[index]!;
      if (result.errors.length || !result.record)
        reject(
          record,
          result.errors.map((error) => toPackagePath(record.report, error)),
        );
    });
  }
  await progress();

  // Statements, each about a claim, said by an actor, reported in this package's source.
  const newStatements: Array<{ record: Entry<unknown>; input: Record<string, unknown> }> = [];
  for (const record of valid(statements)) {
    if (settleExisting(record, false)) continue;
    if (source.report.outcome === 'REJECTED' || !source.report.recordId) {
      reject(record, [
        fieldError([...pathOf(record.report)], FieldErrorCode.NOT_IMPORTED, "The package's source was not imported."),
      ]);
      continue;
    }
    const ids = resolveAll(record, [
      ['CLAIM', record.values.claim, ['claim']],
      ['ACTOR', record.values.speaker, ['speaker']],
      ['ACTOR', record.values.outlet, ['outlet']],
    ]);
    if (!ids) continue;
    toCreate(record);
    const { key, claim: _claim, speaker: _speaker, outlet: _outlet, passage: _passage, ...fields } = record.values;
    const span = spans.get(record);
    newStatements.push({
      record,
      input: {
        ...fields,
        ...(span ? { span, quoteContext: null } : {}),
        claimId: ids[0],
        speakerId: ids[1],
        outletId: ids[2],
        sourceId: source.report.recordId,
        externalId: externalId(key),
      },
    });
  }
  await create(MUTATIONS.statement, newStatements);
  await progress();
  return reports;

  // ---- checks beyond the format's rules ----

  function checkSource(record: Entry<PackageSource>) {
    const values = record.values!;
    record.report.errors.push(
      ...checkDate(
        [...pathOf(record.report), 'publishedAt'],
        new Date(values.publishedAt),
        values.publishedAtPrecision,
      ),
    );
  }

  function checkEvent(record: Entry<PackageEvent>) {
    if (!record.values || record.report.outcome) return;
    const { startedAt, endedAt, datePrecision } = record.values;
    const at = (field: string) => [...pathOf(record.report), field];
    if (startedAt) record.report.errors.push(...checkDate(at('startedAt'), new Date(startedAt), datePrecision));
    if (endedAt) record.report.errors.push(...checkDate(at('endedAt'), new Date(endedAt), datePrecision));
    if (startedAt && endedAt && Date.parse(endedAt) < Date.parse(startedAt)) {
      record.report.errors.push(fieldError(at('endedAt'), FieldErrorCode.INVALID, 'must not be before startedAt'));
    }
  }

  /** Where the statement's words are (a span to send), undefined when the service should place them itself. */
  function checkStatement(record: Entry<PackageStatement>): Span | null | undefined {
    if (!record.values || record.report.outcome) return undefined;
    const values = record.values;
    const at = (field: string) => [...pathOf(record.report), field];
    if (values.saidAt && !values.saidAtPrecision) {
      record.report.errors.push(
        fieldError(at('saidAtPrecision'), FieldErrorCode.INVALID, 'give saidAtPrecision with saidAt'),
      );
    } else if (values.saidAt) {
      record.report.errors.push(
        ...checkDate(at('saidAt'), new Date(values.saidAt), values.saidAtPrecision as DatePrecision),
      );
    }
    if (!values.quote && !values.paraphrase) {
      record.report.errors.push(
        fieldError(at('quote'), FieldErrorCode.INVALID, 'give a quote or a paraphrase, or both'),
      );
    }
    if (values.quote && values.passage) {
      record.report.errors.push(
        fieldError(
          at('passage'),
          FieldErrorCode.INVALID,
          'a quoted statement is found by its quote: give quoteContext to pick among its occurrences',
        ),
      );
      return undefined;
    }
    const words = values.quote ?? values.passage;
    if (!words && !values.span) return undefined;
    const placed = placeStatement(
      { id: 'of this package', text: sourceText },
      words,
      { quoteContext: values.quoteContext, span: values.span },
      (field) => at(field === 'quote' && values.passage ? 'passage' : field),
    );
    record.report.errors.push(...placed.errors);
    // A passage's span is sent as the statement's span: it has no quote for the service to find.
    return values.passage ? placed.span : undefined;
  }
}

/** Zod's issue as a field error code: too long is TOO_LONG, all else INVALID. */
function issueCode(issue: z.core.$ZodIssue): FieldError['code'] {
  return issue.code === 'too_big' && issue.origin === 'string' ? FieldErrorCode.TOO_LONG : FieldErrorCode.INVALID;
}

/** A service's error at an input path, moved to the record's path in the package. */
function toPackagePath(report: RecordReport, error: FieldError): FieldError {
  const [, ...rest] = error.field;
  const field = rest.map((part, index) => (index === 0 ? (PACKAGE_FIELD[part] ?? part) : part));
  return { ...error, field: [...pathOf(report), ...field] };
}

/**
 * Runs `write` over the records level by level, each after the records of the package it
 * depends on; those that depend on each other in a circle get `circular`.
 */
async function inDependencyOrder<Record extends Entry<unknown>>(
  records: Record[],
  dependsOn: (record: Record) => string[],
  write: (level: Record[]) => Promise<void>,
  circular: (record: Record) => void,
): Promise<void> {
  const waiting = new Map(records.map((record) => [`${record.report.kind}:${record.report.key}`, record]));
  while (waiting.size) {
    const ready = [...waiting.values()].filter((record) => dependsOn(record).every((key) => !waiting.has(key)));
    if (!ready.length) {
      for (const record of waiting.values()) circular(record);
      return;
    }
    for (const record of ready) waiting.delete(`${record.report.kind}:${record.report.key}`);
    await write(ready);
  }
}
