import { GraphQLError } from 'graphql';

/** The codes a client can act on; every error this federation raises carries one of them. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  BATCHING_NOT_SUPPORTED: 'BATCHING_NOT_SUPPORTED',
  /** A browser key sent from an origin not on its list, or with no Origin at all. */
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  /** A documentId (or persisted-query hash) no registered manifest lists. */
  TRUSTED_DOCUMENT_NOT_FOUND: 'TRUSTED_DOCUMENT_NOT_FOUND',
  /** A document sent in full by a caller who may run trusted documents only. */
  TRUSTED_DOCUMENT_REQUIRED: 'TRUSTED_DOCUMENT_REQUIRED',
  /** An uploaded manifest that is not valid; nothing of it was stored. */
  INVALID_MANIFEST: 'INVALID_MANIFEST',
  /** A change-feed cursor older than the change log keeps: export anew and follow from its cursor. */
  CURSOR_EXPIRED: 'CURSOR_EXPIRED',
  /** An Idempotency-Key sent again with another request body. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The codes Apollo Server gives a request it could not run: written for clients too. */
const APOLLO_REQUEST_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
] as const;

/**
 * Codes whose messages are written for clients and may pass through unchanged. Anything else,
 * INTERNAL_SERVER_ERROR and SERVICE_UNAVAILABLE included, is masked: their messages may name
 * internals, so each masker writes its own.
 */
export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== 'INTERNAL_SERVER_ERROR' && code !== 'SERVICE_UNAVAILABLE'),
  ...APOLLO_REQUEST_CODES,
]);

export function codedError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const badUserInput = (message: string, extensions: Record<string, unknown> = {}) =>
  codedError(ErrorCode.BAD_USER_INPUT, message, extensions);
