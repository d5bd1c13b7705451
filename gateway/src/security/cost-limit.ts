import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context';
import { operationCost } from './cost';
import { quotaSubject, type Principal } from './principal';
import { rateLimitHeaders, type QuotaState, type Quotas } from './quotas';
import { ErrorCode } from '@newsfacts/platform/errors';

/**
 * Takes an operation's cost from the caller's per-minute cost quota. Answers the RateLimit
 * headers for both quotas, and the error to answer (429) when the cost does not fit.
 */
export async function chargeCost(
  quotas: Quotas,
  principal: Principal,
  operationQuota: QuotaState | undefined,
  cost: number,
): Promise<{ headers: Record<string, string>; refusal: GraphQLError | null }> {
  const state = await quotas.consume('cost', quotaSubject(principal), principal.quota, Math.max(cost, 1));
  const headers = rateLimitHeaders([...(operationQuota ? [operationQuota] : []), state], quotas.windowSeconds);
  if (state.allowed) return { headers, refusal: null };
  return {
    headers,
    refusal: new GraphQLError(
      `Too much work: the quota is ${state.limit} cost a minute and this query costs ${cost}; retry in ${state.resetSeconds} s.`,
      {
        extensions: {
          code: ErrorCode.RATE_LIMITED,
          http: {
            status: 429,
            headers: new Map([['retry-after', String(state.resetSeconds)], ...Object.entries(headers)]),
          },
        },
      },
    ),
  };
}

/**
 * Before any subgraph is called: refuses an operation whose cost is over the per-operation
 * limit, then takes its cost from the caller's per-minute cost quota (429 when it does not
 * fit). Both quotas are reported in the RateLimit headers. The cost is left in the context,
 * for a cached answer to charge it again without working it out.
 */
export function costLimit(
  quotas: Quotas,
  limits: { maxCost: number; assumedListSize: number },
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request, contextValue, response }) {
          const cost = operationCost(schema, document, operationName, request.variables, limits.assumedListSize);
          if (cost > limits.maxCost) {
            throw new GraphQLError(
              `This query could cost ${cost}, over the limit of ${limits.maxCost} per operation: ask for fewer items (a smaller first:) or fewer nested lists.`,
              {
                extensions: { code: ErrorCode.QUERY_TOO_COSTLY, cost, maxCost: limits.maxCost, http: { status: 400 } },
              },
            );
          }
          contextValue.operationCost = cost;
          const { headers, refusal } = await chargeCost(
            quotas,
            contextValue.principal,
            contextValue.operationQuota,
            cost,
          );
          for (const [name, value] of Object.entries(headers)) response.http.headers.set(name, value);
          if (refusal) throw refusal;
        },
      };
    },
  };
}
