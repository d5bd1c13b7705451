// The webhooks' part of the imports service's worker: follows the change feeds into the queue,
// and sends what is due. Webhooks live in the imports service, not a service of their own,
// because it already runs the platform's background work: one durable, lease-based worker, one
// database for queued work, and no new deployable to configure, migrate and watch.
import { Counter, Gauge } from 'prom-client';
import type { Logger } from '@newsfacts/platform/logger';
import type { ServiceMetrics } from '@newsfacts/platform/metrics';
import { createPeerClient } from '@newsfacts/platform/peers';
import type { SubgraphName } from '@newsfacts/platform/service-config';
import type { Worker } from '@newsfacts/platform/subgraph';
import type { WebhookConfig } from '../config';
import type { ImportsPrisma } from '../db';
import type { WebhookDelivery } from '../generated/prisma/client.ts';
import { attempt, claimDue, recordAttempt } from './delivery';
import { followFeeds } from './feed-follower';
import { wakeSignal } from '../wake';

export interface WebhookWorkerOptions {
  prisma: ImportsPrisma;
  logger: Logger;
  metrics?: ServiceMetrics;
  signingSecret: string;
  subgraphUrls: Record<SubgraphName, string>;
  config: WebhookConfig;
}

/** Wakes this process's sender when a delivery is made due here (a redelivery), rather than at its next poll. */
export const deliveryDue = wakeSignal();

export function startWebhookWorker(options: WebhookWorkerOptions): Worker {
  const { prisma, logger, config } = options;
  const log = logger.child({ worker: 'webhooks' });
  const peers = createPeerClient({ urls: options.subgraphUrls, signingSecret: options.signingSecret, logger: log });
  const registry = options.metrics?.registry;
  const counter = <Label extends string>(metric: { name: string; help: string; labelNames: Label[] }) =>
    registry ? new Counter({ ...metric, registers: [registry] }) : null;
  const attempts = counter({
    name: 'newsfacts_webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts by outcome: delivered (2xx), failed (another status, no answer), gone (410), blocked (the address guard).',
    labelNames: ['outcome'],
  });
  const feedsExpired = counter({
    name: 'newsfacts_webhook_feed_expired_total',
    help: 'Times a change feed refused the webhook follower its cursor as past the retention, and sync.required was queued instead of the changes in between.',
    labelNames: ['feed'],
  });
  if (options.metrics) {
    // Read when Prometheus scrapes: deliveries waiting, and how long the oldest due one has waited.
    new Gauge({
      name: 'newsfacts_webhook_backlog',
      help: 'Webhook deliveries waiting to be sent (pending), and the age in seconds of the oldest one due (oldest_due_seconds).',
      labelNames: ['measure'],
      registers: [options.metrics.registry],
      async collect() {
        const [row] = await prisma.$queryRaw<Array<{ pending: number; oldest: number | null }>>`
          SELECT count(*)::int AS pending,
                 extract(epoch FROM now() - min("nextAttemptAt") FILTER (WHERE "nextAttemptAt" <= now()))::float8 AS oldest
          FROM "WebhookDelivery" WHERE status = 'PENDING'`;
        this.set({ measure: 'pending' }, row?.pending ?? 0);
        this.set({ measure: 'oldest_due_seconds' }, row?.oldest ?? 0);
      },
    });
  }
  // Longer than an attempt can take, so that a live sender never loses its delivery to another.
  const leaseMs = config.timeoutMs + 10_000;
  let stopping = false;
  const sending = new Set<Promise<void>>();

  const send = async (delivery: WebhookDelivery) => {
    const subscription = await prisma.webhookSubscription.findUnique({ where: { id: delivery.subscriptionId } });
    if (!subscription) return;
    const result = await attempt(delivery, subscription, config);
    attempts?.inc({ outcome: result.outcome });
    await recordAttempt(prisma, delivery, result, config);
    if (result.outcome !== 'delivered') {
      log.info({ delivery: delivery.id, subscription: subscription.id, ...result }, 'webhook delivery attempt failed');
    }
  };

  const sendDue = async () => {
    while (!stopping && sending.size < config.concurrency) {
      const due = await claimDue(prisma, config.concurrency - sending.size, leaseMs);
      if (!due.length) return;
      for (const delivery of due) {
        const task = send(delivery).catch((error: unknown) => log.error({ err: error }, 'webhook delivery crashed'));
        sending.add(task);
        void task.finally(() => {
          sending.delete(task);
          deliveryDue.notify();
        });
      }
    }
  };

  const loop = async () => {
    let lastFollow = 0;
    while (!stopping) {
      try {
        if (Date.now() - lastFollow >= config.pollMs) {
          lastFollow = Date.now();
          await followFeeds({
            prisma,
            peers,
            logger: log,
            signingSecret: options.signingSecret,
            subgraphUrls: options.subgraphUrls,
            onFeedExpired: (feed) => feedsExpired?.inc({ feed }),
          });
        }
        await sendDue();
      } catch (error) {
        log.warn({ err: error }, 'webhook worker could not run; trying again shortly');
      }
      await deliveryDue.wait(config.pollMs);
    }
  };
  const looping = loop();

  return {
    async stop() {
      stopping = true;
      deliveryDue.notify();
      await looping;
      await Promise.allSettled([...sending]);
    },
  };
}
