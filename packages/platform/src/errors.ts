import { GraphQLError } from 'graphql';

/** The codes a client can act on; every error a resolver throws carries one of them. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function codedError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const badUserInput = (message: string, extensions: Record<string, unknown> = {}) =>
  codedError(ErrorCode.BAD_USER_INPUT, message, extensions);

/**
 * Maps a database failure to a coded error that says nothing about tables or SQL.
 * Prisma's known codes: https://www.prisma.io/docs/orm/reference/error-reference
 */
export function databaseError(error: unknown): GraphQLError {
  const code = (error as { code?: unknown })?.code;
  if (code === 'P2002') return codedError(ErrorCode.CONFLICT, 'A record with the same unique value already exists.');
  if (code === 'P2025') return codedError(ErrorCode.NOT_FOUND, 'The record to change does not exist.');
  return codedError(ErrorCode.SERVICE_UNAVAILABLE, 'The database could not answer; try again shortly.');
}
