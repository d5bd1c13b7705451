// Sends queued deliveries. The queue is the WebhookDelivery table: a worker takes due rows with a
// lease (FOR UPDATE SKIP LOCKED, so workers in several processes never take the same one), sends
// each, and records the outcome with the next attempt's time. A process killed while sending
// holds its rows only until the lease ends; then they are due again, for any process.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { ImportsPrisma } from '../db';
import type { WebhookDelivery, WebhookSubscription } from '../generated/prisma/client.ts';
import type { WebhookConfig } from '../config';
import { vetUrl, type VettedUrl } from './address-guard';
import { retryDelayMs } from './backoff';

export type AttemptOutcome = 'delivered' | 'failed' | 'gone' | 'blocked';

export interface Attempt {
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
}

/** Takes up to `limit` due deliveries of enabled subscriptions, leased for `leaseMs`. */
export async function claimDue(prisma: ImportsPrisma, limit: number, leaseMs: number): Promise<WebhookDelivery[]> {
  return prisma.$queryRaw<WebhookDelivery[]>`
    UPDATE "WebhookDelivery" SET "leasedUntil" = now() + ${leaseMs}::int * interval '1 millisecond'
    WHERE id IN (SELECT d.id FROM "WebhookDelivery" d JOIN "WebhookSubscription" s ON s.id = d."subscriptionId"
                 WHERE d.status = 'PENDING' AND s.enabled AND d."nextAttemptAt" <= now()
                   AND (d."leasedUntil" IS NULL OR d."leasedUntil" < now())
                 ORDER BY d."nextAttemptAt" LIMIT ${limit}::int FOR UPDATE OF d SKIP LOCKED)
    RETURNING *`;
}

/** The webhook-signature header: one `v1,<base64>` per secret still signing, space-separated. */
export function signatureHeader(
  subscription: Pick<WebhookSubscription, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  id: string,
  at: Date,
  body: string,
): string {
  const secrets = [subscription.secret];
  if (
    subscription.previousSecret &&
    subscription.previousSecretExpiresAt &&
    subscription.previousSecretExpiresAt > at
  ) {
    secrets.push(subscription.previousSecret);
  }
  return secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' ');
}

/** One attempt: the URL checked again, then a POST to the address that was checked. */
export async function attempt(
  delivery: WebhookDelivery,
  subscription: WebhookSubscription,
  config: WebhookConfig,
): Promise<Attempt> {
  const vetted = await vetUrl(subscription.url, config);
  if (!vetted.ok) return { outcome: 'blocked', statusCode: null, error: vetted.message };
  const body = JSON.stringify(delivery.payload);
  const now = new Date();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'newsfacts-webhooks/1',
    'webhook-id': delivery.id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signatureHeader(subscription, delivery.id, now, body),
  };
  try {
    const statusCode = await post(vetted, headers, body, config.timeoutMs);
    if (statusCode >= 200 && statusCode < 300) return { outcome: 'delivered', statusCode, error: null };
    if (statusCode === 410) return { outcome: 'gone', statusCode, error: 'The endpoint answered 410 Gone.' };
    return { outcome: 'failed', statusCode, error: `The endpoint answered HTTP ${statusCode}.` };
  } catch (error) {
    return { outcome: 'failed', statusCode: null, error: (error as Error).message };
  }
}

function post(vetted: VettedUrl, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  // Connect to the checked address whatever the name resolves to by now; TLS still checks the name.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  };
  const client = vetted.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      vetted.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        // The answer's body is not read beyond what arrives: only its status counts.
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', (error) =>
      reject(
        error.name === 'AbortError' || error.name === 'TimeoutError'
          ? new Error(`No answer within ${timeoutMs} ms.`)
          : error,
      ),
    );
    request.end(body);
  });
}

/**
 * Records an attempt: the delivery's new state, and its subscription's failure count; a 410 or
 * `maxFailures` failed attempts in a row disable the subscription, saying why.
 */
export async function recordAttempt(
  prisma: ImportsPrisma,
  delivery: WebhookDelivery,
  result: Attempt,
  config: WebhookConfig,
  now = new Date(),
): Promise<void> {
  const attempts = delivery.attempts + 1;
  const common = { attempts, lastAttemptAt: now, lastStatusCode: result.statusCode, leasedUntil: null };
  await prisma.$transaction(async (tx) => {
    if (result.outcome === 'delivered') {
      await tx.webhookDelivery.update({
        where: { id: delivery.id },
        data: { ...common, status: 'DELIVERED', deliveredAt: now, lastError: null },
      });
      // Written only when there were failures: a subscription's updatedAt moves when it changes, not per delivery.
      await tx.webhookSubscription.updateMany({
        where: { id: delivery.subscriptionId, consecutiveFailures: { gt: 0 } },
        data: { consecutiveFailures: 0 },
      });
      return;
    }
    if (result.outcome === 'gone') {
      await tx.webhookDelivery.update({
        where: { id: delivery.id },
        data: { ...common, status: 'FAILED', lastError: result.error },
      });
      await tx.webhookSubscription.update({
        where: { id: delivery.subscriptionId },
        data: {
          enabled: false,
          disabledAt: now,
          disabledReason: `The endpoint answered 410 Gone at ${now.toISOString()} (delivery ${delivery.id}): it asked for no more deliveries.`,
        },
      });
      return;
    }
    const wait = retryDelayMs(attempts, config.retryBaseMs);
    await tx.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        ...common,
        lastError: result.error,
        ...(wait === null ? { status: 'FAILED' } : { nextAttemptAt: new Date(now.getTime() + wait) }),
      },
    });
    const subscription = await tx.webhookSubscription.update({
      where: { id: delivery.subscriptionId },
      data: { consecutiveFailures: { increment: 1 } },
    });
    if (subscription.enabled && subscription.consecutiveFailures >= config.maxFailures) {
      await tx.webhookSubscription.update({
        where: { id: delivery.subscriptionId },
        data: {
          enabled: false,
          disabledAt: now,
          disabledReason: `${subscription.consecutiveFailures} delivery attempts in a row failed (the last at ${now.toISOString()}: ${result.error})`,
        },
      });
    }
  });
}
