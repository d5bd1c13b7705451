import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { CLIENT_ERROR_CODES, ErrorCode } from '@newsfacts/platform/errors';
import type { Logger } from '@newsfacts/platform/logger';
import type { GatewayMetrics } from '../metrics';

/**
 * Nothing internal leaves the gateway. Errors with a client code keep their message and code
 * only; everything else (a subgraph's crash, a refused connection naming an internal URL, a
 * timeout) becomes a generic error. Each masked error is logged in full under the request
 * id that the client also gets, in the error and in the X-Request-Id header.
 */
export function errorMasking(
  logger: Logger,
  metrics: Pick<GatewayMetrics, 'graphqlErrors'>,
): ApolloServerPlugin<BaseContext & { requestId: string }> {
  const maskError = (error: GraphQLFormattedError, requestId: string): GraphQLFormattedError => {
    const code = error.extensions?.code;
    const where = {
      ...(error.path ? { path: error.path } : {}),
      ...(error.locations ? { locations: error.locations } : {}),
    };
    if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
      return { message: error.message, ...where, extensions: { code } };
    }
    // A subgraph that could not be reached, or a proxy in front of one that answered for it
    // (502, 503, 504: a load balancer while its pods restart) is worth retrying shortly.
    const upstreamStatus = (error.extensions?.response as { status?: unknown } | undefined)?.status;
    const unavailable =
      code === ErrorCode.SERVICE_UNAVAILABLE ||
      upstreamStatus === 502 ||
      upstreamStatus === 503 ||
      upstreamStatus === 504 ||
      /fetch|ECONNREFUSED|ECONNRESET|socket hang up|timeout|aborted|ENOTFOUND/i.test(error.message);
    logger.error({ requestId, error }, 'masked an error before it reached the client');
    return unavailable
      ? {
          message: 'Part of this answer is unavailable right now; try again shortly.',
          ...where,
          extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, requestId },
        }
      : {
          message: 'Internal server error.',
          ...where,
          extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
        };
  };
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          const { requestId } = contextValue;
          response.body.singleResult.errors = response.body.singleResult.errors.map((error): GraphQLFormattedError => {
            const masked = maskError(error, requestId);
            metrics.graphqlErrors.inc({ code: String(masked.extensions?.code) });
            return masked;
          });
        },
      };
    },
  };
}
