import type { Principal } from './security/principal';
import type { QuotaState } from './security/quotas';

declare global {
  namespace Express {
    interface Locals {
      /** In the gateway: who is calling, once the authenticator has decided. */
      principal?: Principal;
      /** The operation quota as operationQuota() left it, for the RateLimit headers. */
      operationQuota?: QuotaState;
      /** Set by cachedAnswers() on a request it may keep the answer of, once GraphQL has made it. */
      cachedAnswerKey?: string;
    }
  }
}

/** The caller the authenticator put on the response; a route that reaches here without one is a wiring bug. */
export function callerOf(res: { locals: { principal?: Principal } }): Principal {
  if (!res.locals.principal) throw new Error('no principal: the authenticator must run before this handler');
  return res.locals.principal;
}

export interface GatewayContext {
  requestId: string;
  principal: Principal;
  /** The operation quota as the HTTP layer left it, for the RateLimit headers. */
  operationQuota: QuotaState | undefined;
  /** Epoch ms after which no subgraph fetch of this request may still run (REQUEST_TIMEOUT_MS). */
  deadline: number;
  /** The caller wrote moments ago: subgraphs read from their primaries, not replicas (read-your-writes.ts). */
  readPrimary?: boolean;
  /** The operation's cost, once costLimit has worked it out. */
  operationCost?: number;
  /** The request as cachedAnswers() keeps answers under, when it may keep this one's. */
  cachedAnswerKey?: string;
}
