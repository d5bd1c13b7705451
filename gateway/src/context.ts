import type { Principal } from './security/principal';
import type { QuotaState } from './security/quotas';

export interface GatewayContext {
  requestId: string;
  principal: Principal;
  /** The operation quota as the HTTP layer left it, for the RateLimit headers. */
  operationQuota: QuotaState | undefined;
  /** Epoch ms after which no subgraph fetch of this request may still run (REQUEST_TIMEOUT_MS). */
  deadline: number;
}
