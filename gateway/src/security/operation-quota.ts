import type express from 'express';
import { sendError } from '@newsfacts/platform/http';
import { callerOf } from '../context';
import { quotaSubject } from './principal';
import { rateLimitHeaders, type Quotas } from './quotas';
import { ErrorCode } from '@newsfacts/platform/errors';

/**
 * Counts one operation against the caller's quota (`res.locals.principal`) and says where it
 * stands in the RateLimit headers; past the quota, answers 429 with Retry-After and returns false.
 */
export async function chargeOperation(quotas: Quotas, res: express.Response): Promise<boolean> {
  const principal = callerOf(res);
  const state = await quotas.consume('operations', quotaSubject(principal), principal.quota, 1);
  res.locals.operationQuota = state;
  for (const [name, value] of Object.entries(rateLimitHeaders([state], quotas.windowSeconds)))
    res.setHeader(name, value);
  if (state.allowed) return true;
  res.setHeader('Retry-After', String(state.resetSeconds));
  sendError(
    res,
    429,
    ErrorCode.RATE_LIMITED,
    `Too many requests: the quota is ${state.limit} operations a minute; retry in ${state.resetSeconds} s.`,
  );
  return false;
}

/** chargeOperation() for every request, before anything else is done for it. */
export function operationQuota(quotas: Quotas): express.RequestHandler {
  return async (_req, res, next) => {
    try {
      if (await chargeOperation(quotas, res)) next();
    } catch (error) {
      next(error);
    }
  };
}
