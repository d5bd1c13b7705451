import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { selectOperation } from './operation-policy';

const unwrapNonNull = (type: GraphQLOutputType) => (isNonNullType(type) ? type.ofType : type);

/**
 * What an operation may cost to answer: the number of objects it can make the subgraphs
 * produce. A list multiplies everything beneath it by its size: the `first` argument when
 * there is one (variables included), the assumed size otherwise. Aliases and fragments
 * count as often as they appear, so one aliased query cannot do the work of a hundred.
 * A connection's `first` multiplies its items, and a list's `first` its own elements.
 * Arguments are read as GraphQL will run them (variables coerced, defaults applied); a
 * `first` left null counts as the largest page.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  assumedListSize: number,
  largestPage = 100,
): number {
  const operation = selectOperation(document, operationName ?? undefined);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );

  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  const variableValues = coerced.coerced ?? {};
  /** The page size a field will be asked for, or undefined when it takes no `first`. */
  const pageSize = (node: FieldNode, field: GraphQLField<unknown, unknown>): number | undefined => {
    if (!field.args.some((argument) => argument.name === 'first')) return undefined;
    let first: unknown;
    try {
      first = getArgumentValues(field, node, variableValues).first;
    } catch {
      first = undefined; // an invalid argument fails validation or execution, at no cost
    }
    return typeof first === 'number' ? Math.max(first, 0) : largestPage;
  };

  const selectionCost = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    instances: number,
    seen: Set<string>,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += selectionCost(selection.selectionSet, type, instances, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        // Cycles are a validation error; the guard only keeps this walk finite meanwhile.
        if (fragment && type && isCompositeType(type) && !seen.has(fragment.name.value)) {
          total += selectionCost(fragment.selectionSet, type, instances, new Set([...seen, fragment.name.value]));
        }
        continue;
      }
      if (selection.name.value.startsWith('__') || !('getFields' in parent)) continue;
      const field = parent.getFields()[selection.name.value];
      if (!field || !selection.selectionSet) continue;
      const type = getNamedType(field.type);
      if (!isCompositeType(type)) continue;
      const first = pageSize(selection, field);
      const isList = isListType(unwrapNonNull(field.type));
      const insideConnection = parent.name.endsWith('Connection');
      const size = first !== undefined ? first : isList && !insideConnection ? assumedListSize : 1;
      // A connection is one object whose `first` multiplies what is inside it; a list with
      // `first` is that many objects itself.
      const objects = first !== undefined && !isList ? instances : instances * size;
      total += objects + selectionCost(selection.selectionSet, type, instances * size, seen);
    }
    return total;
  };

  return selectionCost(operation.selectionSet, root, 1, new Set());
}
