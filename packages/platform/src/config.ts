import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, found from this file rather than from the working directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses environment variables against a schema once, at start-up. A bad value stops the
 * process with one readable line per problem instead of failing later at first use.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/**
 * SHUTDOWN_GRACE_MS: on SIGTERM, how long a service keeps serving with /readyz at 503 before it
 * stops accepting connections, for a load balancer to notice. 0 (none) suits a local run.
 */
export const shutdownGraceMs = z.coerce.number().int().min(0).max(120_000).default(0);

/** A true/false setting. */
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true');

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** An optional URL from the environment: unset and empty both mean "not configured". */
export const optionalUrl = z.preprocess((value) => (value === '' ? undefined : value), z.string().url().optional());

/** Who may read /metrics: holders of METRICS_TOKEN when it is set; anyone outside production otherwise. */
export interface MetricsAccess {
  token: string | undefined;
  openWithoutToken: boolean;
}

export function loadMetricsAccess(env: NodeJS.ProcessEnv = process.env): MetricsAccess {
  const parsed = parseConfig(
    z.object({
      METRICS_TOKEN: z.preprocess(
        (value) => (value === '' ? undefined : value),
        z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
      ),
    }),
    env,
  );
  return { token: parsed.METRICS_TOKEN, openWithoutToken: env.NODE_ENV !== 'production' };
}
