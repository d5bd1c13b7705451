import type { ApolloServerPlugin } from '@apollo/server';
import type express from 'express';
import { GraphQLError, Kind, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { sendError } from '@newsfacts/platform/http';
import type { GatewayContext } from '../context';
import type { Scope } from '../keys/store';
import { ErrorCode } from '@newsfacts/platform/errors';

/** The operation a request would run, when its document names one unambiguously. */
export function selectOperation(document: DocumentNode, operationName: unknown): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
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

/** One operation per request: batched requests are refused before any GraphQL work. */
export const refuseBatches: express.RequestHandler = (req, res, next) => {
  if (Array.isArray(req.body)) {
    return sendError(
      res,
      400,
      ErrorCode.BATCHING_NOT_SUPPORTED,
      'Send one operation per request; batched requests are refused.',
    );
  }
  next();
};

const SCOPE_FOR = { query: 'READ', mutation: 'WRITE', subscription: 'READ' } as const satisfies Record<string, Scope>;

const refuse = (status: number, code: string, message: string) =>
  new GraphQLError(message, { extensions: { code, http: { status } } });

/**
 * What the caller may run, decided on the very operation Apollo resolved (so no spelling of
 * the request — GET parameters, persisted-query hashes, an empty operationName — can show
 * one operation to the check and run another): queries need `read`, mutations `write`,
 * introspection `explore`; subscriptions and operation types the schema lacks are refused.
 * (Apollo itself answers a mutation over GET with 405.)
 */
export const operationPolicy: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, document, schema, contextValue }) {
        if (!operation)
          throw refuse(400, 'OPERATION_RESOLUTION_FAILURE', 'Say which operation to run, with operationName.');
        if (operation.operation === 'subscription')
          throw refuse(400, ErrorCode.BAD_REQUEST, 'Subscriptions are not supported.');
        const needed = SCOPE_FOR[operation.operation];
        const { scopes } = contextValue.principal;
        if (!scopes.includes(needed)) {
          const what = operation.operation === 'mutation' ? 'Changing data' : 'Reading';
          throw refuse(403, ErrorCode.FORBIDDEN, `${what} needs an API key with the ${needed.toLowerCase()} scope.`);
        }
        if (asksForIntrospection(document) && !scopes.includes('EXPLORE')) {
          throw refuse(403, ErrorCode.FORBIDDEN, 'Introspection needs an API key with the explore scope.');
        }
        // A mutation while there is no write API passes validation, and the query planner
        // would answer it with a 500.
        if (!schema.getRootType(operation.operation)) {
          throw refuse(400, 'GRAPHQL_VALIDATION_FAILED', `This API has no ${operation.operation} operations.`);
        }
      },
    };
  },
};
