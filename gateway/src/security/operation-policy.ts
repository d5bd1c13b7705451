import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type express from 'express';
import { GraphQLError, Kind, parse, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { sendError } from '@newsfacts/platform/http';
import type { Scope } from '../keys/store';
import type { Principal } from './principal';

/** The operation a request would run, when its document parses and names one unambiguously. */
export function selectOperation(document: DocumentNode, operationName: unknown): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (typeof operationName === 'string') return operations.find((operation) => operation.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** True when a document asks for the schema itself (`__schema` or `__type`; `__typename` is fine). */
export function asksForIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
}

const SCOPE_FOR = { query: 'READ', mutation: 'WRITE', subscription: 'READ' } as const satisfies Record<string, Scope>;

/**
 * Refuses before any GraphQL work what the caller may not run: batches (one operation per
 * request), documents over the token limit, mutations over GET, operations outside the key's
 * scopes (queries need `read`, mutations `write`), and introspection without `explore`. Documents that do not parse go on, so that GraphQL
 * reports their syntax errors in its usual shape.
 */
export function operationPolicy(maxTokens: number): express.RequestHandler {
  return (req, res, next) => {
    const principal = res.locals.principal as Principal;
    const params = req.method === 'GET' ? req.query : req.body;
    if (Array.isArray(params)) {
      return sendError(res, 400, 'BATCHING_NOT_SUPPORTED', 'Send one operation per request; batched requests are refused.');
    }
    const query = (params as Record<string, unknown> | undefined)?.query;
    if (typeof query !== 'string') return next();
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens });
    } catch (error) {
      // graphql-js stops lexing at the limit, so an oversized document costs little to refuse.
      if (/contains more th\w+ \d+ tokens/.test((error as Error).message)) {
        return sendError(res, 400, 'GRAPHQL_VALIDATION_FAILED', `The document has more than ${maxTokens} tokens; send a smaller query.`);
      }
      return next();
    }
    const operation = selectOperation(document, (params as Record<string, unknown>).operationName);
    if (!operation) return next();
    if (operation.operation === 'mutation' && req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Mutations must be sent with POST.');
    }
    if (operation.operation === 'subscription') {
      return sendError(res, 400, 'BAD_REQUEST', 'Subscriptions are not supported.');
    }
    const needed = SCOPE_FOR[operation.operation];
    if (!principal.scopes.includes(needed)) {
      const what = operation.operation === 'mutation' ? 'Changing data' : 'Reading';
      return sendError(res, 403, 'FORBIDDEN', `${what} needs an API key with the ${needed.toLowerCase()} scope.`);
    }
    if (asksForIntrospection(document) && !principal.scopes.includes('EXPLORE')) {
      return sendError(res, 403, 'FORBIDDEN', 'Introspection needs an API key with the explore scope.');
    }
    next();
  };
}

/**
 * An operation type the schema does not have (a mutation, while there is no write API)
 * passes validation and would fail in the query planner with a 500; answer it with a 400.
 */
export const supportedOperationType: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ schema, operation }) {
        if (operation && !schema.getRootType(operation.operation)) {
          throw new GraphQLError(`This API has no ${operation.operation} operations.`, {
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
          });
        }
      },
    };
  },
};
