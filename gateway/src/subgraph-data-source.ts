// The gateway's requests to one subgraph. A subgraph refuses with HTTP 400 an argument its own
// scalars reject (an `updatedSince` that is not an instant): the gateway's copy of the schema
// knows those scalars by name only, so the subgraph is the first to check the value. Its refusal
// reaches the client as BAD_USER_INPUT with the subgraph's message, which says what is wanted,
// rather than as a failed fetch, which the gateway can only mask as INTERNAL_SERVER_ERROR.
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '@newsfacts/platform/errors';
import type { GatewayContext } from './context';

type FetchResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];

/** The subgraph's own codes for a value it could not take: a variable's, or a literal's. */
const INPUT_CODES = new Set<unknown>([ErrorCode.BAD_USER_INPUT, 'GRAPHQL_VALIDATION_FAILED']);

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override async errorFromResponse(response: FetchResponse): Promise<GraphQLError> {
    if (response.status === 400) {
      const body = (await this.parseBody(response.clone()).catch(() => null)) as {
        errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }>;
      } | null;
      const refusal = body?.errors?.find(
        (error) => INPUT_CODES.has(error.extensions?.code) && typeof error.message === 'string',
      );
      if (refusal) {
        return new GraphQLError(refusal.message as string, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
      }
    }
    return super.errorFromResponse(response);
  }
}
