import { z } from 'zod';
import { parseConfig } from '@newsfacts/platform/config';
import { parseAllowList, type AllowList } from './webhooks/address-guard';

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

export interface WebhookConfig {
  /** The first retry waits up to this; later ones up to multiples of it (webhooks/backoff.ts). */
  retryBaseMs: number;
  /** Failed attempts in a row (across the subscription's deliveries) that disable a subscription. */
  maxFailures: number;
  /** How long an endpoint has to answer before the attempt counts as failed. */
  timeoutMs: number;
  /** How often the feeds are read and due deliveries looked for. */
  pollMs: number;
  /** Deliveries one process sends at once. */
  concurrency: number;
  /** Hosts (as written in a URL, optionally with a port) exempt from the address check. */
  allowList: AllowList;
  /** https only, unless allow-listed. */
  requireHttps: boolean;
}

/**
 * The webhooks' settings: `WEBHOOK_RETRY_BASE_MS`, `WEBHOOK_MAX_FAILURES`, `WEBHOOK_TIMEOUT_MS`,
 * `WEBHOOK_POLL_MS`, `WEBHOOK_CONCURRENCY`, `WEBHOOK_ALLOWED_HOSTS` (comma-separated), and
 * `NODE_ENV` (production requires https).
 */
export function loadWebhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  const parsed = parseConfig(
    z.object({
      WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
      WEBHOOK_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(100),
      WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
      WEBHOOK_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
      WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
      WEBHOOK_ALLOWED_HOSTS: z.string().default(''),
      NODE_ENV: z.string().optional(),
    }),
    env,
  );
  return {
    retryBaseMs: parsed.WEBHOOK_RETRY_BASE_MS,
    maxFailures: parsed.WEBHOOK_MAX_FAILURES,
    timeoutMs: parsed.WEBHOOK_TIMEOUT_MS,
    pollMs: parsed.WEBHOOK_POLL_MS,
    concurrency: parsed.WEBHOOK_CONCURRENCY,
    allowList: parseAllowList(parsed.WEBHOOK_ALLOWED_HOSTS),
    requireHttps: parsed.NODE_ENV === 'production',
  };
}

/**
 * The search index's settings: `SEARCH_POLL_MS`, how often the fact services' change-log signals
 * are asked whether anything changed (answered from their memory while nothing did, so a short
 * interval costs them no SQL); a write is findable within about this much after it commits.
 */
export function loadSearchConfig(env: NodeJS.ProcessEnv = process.env): { pollMs: number } {
  const parsed = parseConfig(
    z.object({ SEARCH_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(250) }),
    env,
  );
  return { pollMs: parsed.SEARCH_POLL_MS };
}

let parsedWebhookConfig: WebhookConfig | undefined;

/** The process's webhook settings, parsed from the environment the first time they are needed. */
export function webhookConfig(): WebhookConfig {
  parsedWebhookConfig ??= loadWebhookConfig();
  return parsedWebhookConfig;
}
