import { z } from 'zod';
import { parseConfig } from '@newsfacts/platform/config';

/** The job worker's settings: `IMPORT_CONCURRENCY` (jobs at once per process), `IMPORT_LEASE_MS`. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = parseConfig(
    z.object({
      IMPORT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
      // How long a job's heartbeat may be silent before another worker takes the job over.
      IMPORT_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
    }),
    env,
  );
  return { concurrency: parsed.IMPORT_CONCURRENCY, leaseMs: parsed.IMPORT_LEASE_MS };
}
