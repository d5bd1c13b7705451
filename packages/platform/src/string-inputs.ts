import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getArgumentValues,
  getVariableValues,
  GraphQLError,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutableDefinitionNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode } from './errors';

/**
 * Strings that no text column can hold: PostgreSQL refuses a NUL character (0x00) in text and
 * jsonb (the client got an INTERNAL_SERVER_ERROR), and a lone UTF-16 surrogate has no UTF-8 form
 * (encoding quietly turns it into U+FFFD, so a search or a write would use other text). Refused
 * here, the client learns which argument to fix.
 */

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as text, or null when it can. */
export function unstorableStringReason(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL byte (\\u0000), which text cannot hold';
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    const unit = surrogate[0].charCodeAt(0).toString(16).padStart(4, '0');
    return `contains a lone UTF-16 surrogate (\\u${unit}), which is not valid Unicode text`;
  }
  return null;
}

/** The first unstorable string in a coerced value (input objects, lists, JSON scalars), with where it is. */
function findUnstorable(value: unknown, at: string, seen = new Set<object>()): { at: string; reason: string } | null {
  if (typeof value === 'string') {
    const reason = unstorableStringReason(value);
    return reason ? { at, reason } : null;
  }
  // A custom scalar may parse to any object; `seen` keeps a cyclic one from looping.
  if (typeof value !== 'object' || value === null || seen.has(value)) return null;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorable(item, `${at}[${index}]`, seen);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    // A JSON scalar's keys are stored too.
    const found = findUnstorable(key, `${at} (a key)`, seen) ?? findUnstorable(item, `${at}.${key}`, seen);
    if (found) return found;
  }
  return null;
}

/** The operation and every fragment it reaches: fragments only another operation uses are not run. */
function reachableDefinitions(document: DocumentNode, operation: OperationDefinitionNode): ExecutableDefinitionNode[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const reached: ExecutableDefinitionNode[] = [];
  const queue: ExecutableDefinitionNode[] = [operation];
  const queued = new Set<string>();
  while (queue.length) {
    const definition = queue.shift()!;
    reached.push(definition);
    visit(definition, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !queued.has(spread.name.value)) {
          queued.add(spread.name.value);
          queue.push(fragment);
        }
      },
    });
  }
  return reached;
}

/**
 * Throws a BAD_USER_INPUT GraphQLError naming the first field or directive argument of the
 * operation whose value (a literal or from variables, after coercion) holds an unstorable string.
 * Leaves requests whose variables or arguments do not coerce to execution, which reports those.
 */
export function assertStorableStrings(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): void {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) return; // execution reports variables that do not coerce
  const variableValues = coerced.coerced;
  const check = (owner: string, values: () => Record<string, unknown>) => {
    let args: Record<string, unknown>;
    try {
      args = values();
    } catch {
      return; // invalid arguments: execution answers with its own error
    }
    for (const [name, value] of Object.entries(args)) {
      const found = findUnstorable(value, name);
      if (!found) continue;
      const where = found.at === name ? '' : ` at ${found.at}`;
      throw new GraphQLError(`Argument "${name}" of "${owner}"${where} ${found.reason}.`, {
        extensions: { code: ErrorCode.BAD_USER_INPUT, argument: name, http: { status: 400 } },
      });
    }
  };
  for (const definition of reachableDefinitions(document, operation)) {
    const typeInfo = new TypeInfo(schema);
    visit(
      definition,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const field = typeInfo.getFieldDef();
          if (field && node.arguments?.length) check(field.name, () => getArgumentValues(field, node, variableValues));
        },
        Directive(node) {
          const directive = typeInfo.getDirective();
          if (directive && node.arguments?.length) {
            check(`@${directive.name}`, () => getArgumentValues(directive, node, variableValues));
          }
        },
      }),
    );
  }
}

/**
 * Refuses, before anything runs, an operation with a NUL byte or a lone surrogate in any string
 * argument, input-object field or list element, inline or through variables: HTTP 400 with
 * BAD_USER_INPUT naming the argument.
 */
export const refuseUnstorableStrings: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ schema, document, operation, request }) {
        if (operation) assertStorableStrings(schema, document, operation, request.variables);
      },
    };
  },
};
