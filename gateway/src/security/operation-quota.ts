import type express from 'express';
import { sendError } from '@newsfacts/platform/http';
import { callerOf } from '../context';
import { quotaSubject } from './principal';
import { rateLimitHeaders, type Quotas } from './quotas';
import { ErrorCode } from '@newsfacts/platform/errors';

/**
 * Counts one operation against the caller's quota and says where it stands in the RateLimit
 * headers of every response; past the quota, answers 429 with Retry-After.
 */
export function operationQuota(quotas: Quotas): express.RequestHandler {
  return async (_req, res, next) => {
    try {
      const principal = callerOf(res);
      const state = await quotas.consume('operations', quotaSubject(principal), principal.quota, 1);
      res.locals.operationQuota = state;
      for (const [name, value] of Object.entries(rateLimitHeaders([state], quotas.windowSeconds)))
        res.setHeader(name, value);
      if (!state.allowed) {
        res.setHeader('Retry-After', String(state.resetSeconds));
        return sendError(
          res,
          429,
          ErrorCode.RATE_LIMITED,
          `Too many requests: the quota is ${state.limit} operations a minute; retry in ${state.resetSeconds} s.`,
        );
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
