// What a cached answer holds, as tags a change can name: the response cache drops every answer
// that carries a tag of a change (response-cache.ts).
//
// - `Type:id`, each record in the answer. Before the gateway runs a query, every selection set
//   on a type with an `id` gets two fields under aliases of our own (`__cacheTypename`,
//   `__cacheId`), as GraphQL Yoga's response cache does; they are read off the result and taken
//   out before the answer leaves. A change to a record drops the answers that show it.
// - `Type:*`, any change to a record of that type. A list, a search or a value derived from other
//   records can change when a record it does not show changes (a new statement, an event whose
//   kind moves it into a filter), so an answer holding one carries this tag for the types the
//   list ranges over or the value is derived from.
// - `Type:+`, the set of records of that type: a create, a delete, a merge, or a new slug. A
//   lookup at the root (`place(slug:)`) may have found nothing before a create.
// - `*`, everything: a change the gateway could not read drops every answer.
import {
  getNamedType,
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLOutputType,
  type GraphQLSchema,
  type GraphQLCompositeType,
  type InlineFragmentNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ChangeNotice } from '@newsfacts/platform/change-notices';

export const TYPENAME_ALIAS = '__cacheTypename';
export const ID_ALIAS = '__cacheId';
export const EVERYTHING_TAG = '*';

export const recordTag = (type: string, id: string) => `${type}:${id}`;
export const anyChangeTag = (type: string) => `${type}:*`;
export const membershipTag = (type: string) => `${type}:+`;

/**
 * Fields whose value is read from records other than the one they are on (beside the records
 * they list): derived values and lists kept on another record. A field that reads other records
 * must be listed here, or a change to those records would leave answers holding it stale.
 */
export const READS_OTHER_RECORDS: Readonly<Record<string, readonly string[]>> = {
  'Query.claims': ['Statement'], // the `contested` filter
  'Claim.contested': ['Statement', 'Claim'],
  'Claim.competingClaims': ['Claim'],
  'Claim.jsonLd': ['Statement', 'Actor', 'Source'],
  'Event.contestedClaims': ['Statement'],
  'Actor.contestedClaims': ['Statement'],
  'Actor.participations': ['Event'], // participants are kept with their events
  'Actor.members': ['Actor'], // affiliations are kept with the member
  'Event.relatedEvents': ['Event'], // a link may be kept with the other event
  'Statement.span': ['Source'], // found in the source's text
};

/** Fields whose change gives a record a new key for a lookup at the root. */
const LOOKUP_KEYS = new Set(['slug']);

const hasId = (type: GraphQLCompositeType) =>
  (isObjectType(type) || isInterfaceType(type)) && type.getFields().id !== undefined;

const holdsList = (type: GraphQLOutputType): boolean =>
  isListType(type) || (isNonNullType(type) && holdsList(type.ofType));

/** The types with an id a field's value can be. */
function recordTypes(schema: GraphQLSchema, type: GraphQLOutputType): string[] {
  const named = getNamedType(type);
  const ranges = isAbstractType(named) ? schema.getPossibleTypes(named) : isObjectType(named) ? [named] : [];
  return ranges.filter(hasId).map((record) => record.name);
}

/**
 * The records a container without an id lists (a connection's nodes and edges, a search's hits),
 * whether or not the query asks for them: its `totalCount` counts them all the same.
 */
function listedWithin(schema: GraphQLSchema, type: GraphQLOutputType): string[] {
  const named = getNamedType(type);
  if (!isObjectType(named) || hasId(named)) return [];
  return Object.values(named.getFields())
    .filter((inner) => holdsList(inner.type))
    .flatMap((inner) => {
      const item = getNamedType(inner.type);
      if (!isObjectType(item) || hasId(item)) return recordTypes(schema, inner.type);
      // An edge or a hit: the records it holds, one each.
      return Object.values(item.getFields()).flatMap((itemField) => recordTypes(schema, itemField.type));
    });
}

const field = (name: string, alias: string): FieldNode => ({
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: alias },
  name: { kind: Kind.NAME, value: name },
});

/** The selections that give a record's type and id, for a selection set on `type`. */
function cacheSelections(schema: GraphQLSchema, type: GraphQLCompositeType): SelectionNode[] {
  if (isAbstractType(type)) {
    const fragments = schema
      .getPossibleTypes(type)
      .filter(hasId)
      .map((possible): InlineFragmentNode => ({
        kind: Kind.INLINE_FRAGMENT,
        typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: possible.name } },
        selectionSet: { kind: Kind.SELECTION_SET, selections: [field('id', ID_ALIAS)] },
      }));
    return fragments.length ? [field('__typename', TYPENAME_ALIAS), ...fragments] : [];
  }
  return hasId(type) ? [field('__typename', TYPENAME_ALIAS), field('id', ID_ALIAS)] : [];
}

/** Whether a client's document uses one of our aliases, which would be taken out of its answer. */
export function usesCacheAliases(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.alias?.value === TYPENAME_ALIAS || node.alias?.value === ID_ALIAS) found = true;
    },
  });
  return found;
}

export interface PreparedQuery {
  /** The document to run: the query, with every record's type and id asked for under our aliases. */
  document: DocumentNode;
  /** The tags every answer to it carries, whatever records it holds. */
  tags: string[];
}

const prepared = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, PreparedQuery>>();

/** A query made ready for the cache; the same document object gives the same result object. */
export function prepareQuery(schema: GraphQLSchema, document: DocumentNode): PreparedQuery {
  let forSchema = prepared.get(schema);
  if (!forSchema) prepared.set(schema, (forSchema = new WeakMap()));
  const known = forSchema.get(document);
  if (known) return known;
  const tags = new Set<string>([EVERYTHING_TAG]);
  const typeInfo = new TypeInfo(schema);
  const transformed = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const definition = typeInfo.getFieldDef();
        if (!parent || !definition) return;
        const records = recordTypes(schema, definition.type);
        if (holdsList(definition.type)) for (const type of records) tags.add(anyChangeTag(type));
        for (const type of listedWithin(schema, definition.type)) tags.add(anyChangeTag(type));
        if (parent === schema.getQueryType()) for (const type of records) tags.add(membershipTag(type));
        for (const type of READS_OTHER_RECORDS[`${parent.name}.${definition.name}`] ?? []) tags.add(anyChangeTag(type));
      },
      SelectionSet: {
        leave(node: SelectionSetNode) {
          const type = typeInfo.getParentType();
          if (!type || type === schema.getQueryType()) return undefined;
          const added = cacheSelections(schema, type);
          return added.length ? { ...node, selections: [...node.selections, ...added] } : undefined;
        },
      },
    }),
  );
  const result = { document: transformed, tags: [...tags].sort() };
  forSchema.set(document, result);
  return result;
}

/**
 * The records an answer holds, as tags; takes our fields out of it, in place. Call it on every
 * answer to a prepared query, whether or not it is kept.
 */
export function takeRecordTags(data: unknown): Set<string> {
  const tags = new Set<string>();
  const walk = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    const type = record[TYPENAME_ALIAS];
    const id = record[ID_ALIAS];
    if (typeof type === 'string' && (typeof id === 'string' || typeof id === 'number'))
      tags.add(recordTag(type, String(id)));
    delete record[TYPENAME_ALIAS];
    delete record[ID_ALIAS];
    for (const child of Object.values(record)) walk(child);
  };
  walk(data);
  return tags;
}

/** The tags a logged change drops. */
export function tagsOfChange(change: ChangeNotice): string[] {
  const tags = [recordTag(change.entityType, change.entityId), anyChangeTag(change.entityType)];
  if (change.survivorId) tags.push(recordTag(change.entityType, change.survivorId));
  if (change.operation !== 'UPDATE' || change.fields.some((name) => LOOKUP_KEYS.has(name)))
    tags.push(membershipTag(change.entityType));
  return tags;
}
