// Managing webhook subscriptions, after the write convention: a key manages its own, an admin key
// any; refused input comes back as field errors with nothing written.
import { randomBytes, randomUUID } from 'node:crypto';
import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { confirmForeign, OWNERS, type PeerClient } from '@newsfacts/platform/peers';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { fieldError, FieldErrorCode, writerOf, type FieldError } from '@newsfacts/platform/writes';
import type { WebhookConfig } from '../config';
import type { ImportsPrisma } from '../db';
import type { WebhookDelivery, WebhookSubscription } from '../generated/prisma/client.ts';
import { vetUrl } from './address-guard';
import { ENTITY_TYPES, OPERATIONS } from './matching';
import { deliveryDue } from './worker';

/** How long the secret before a rotation keeps signing beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;
const MAX_DESCRIPTION = 500;

/** Standard Webhooks' secret format: whsec_ and 24 random bytes in base64. */
export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** Whose subscriptions a caller may see: a key its own, an admin key every key's, nobody else any. */
export function subscriptionsVisibleTo(principal: ForwardedPrincipal | null): { createdBy?: string } | null {
  if (principal?.kind !== 'key' || !principal.keyId) return null;
  return principal.scopes.includes('ADMIN') ? {} : { createdBy: principal.keyId };
}

export interface SubscriptionFields {
  url?: string | null;
  types?: string[] | null;
  operations?: string[] | null;
  filters?: { eventId?: string | null; contestedOnly?: boolean | null } | null;
  description?: string | null;
}

interface Checked {
  data: {
    url?: string;
    types?: string[];
    operations?: string[];
    eventId?: string | null;
    contestedOnly?: boolean;
    description?: string | null;
  };
  errors: FieldError[];
}

interface Deps {
  prisma: ImportsPrisma;
  peers: PeerClient;
  principal: ForwardedPrincipal | null;
  config: WebhookConfig;
}

async function checkFields(input: SubscriptionFields, deps: Deps): Promise<Checked> {
  const errors: FieldError[] = [];
  const data: Checked['data'] = {};
  if (input.url != null) {
    const vetted = await vetUrl(input.url, deps.config);
    if (vetted.ok) data.url = vetted.url.href;
    else errors.push(fieldError(['input', 'url'], FieldErrorCode[vetted.code], vetted.message));
  }
  const list = (name: 'types' | 'operations', allowed: readonly string[]) => {
    const given = input[name];
    if (given == null) return;
    given.forEach((value, index) => {
      if (!allowed.includes(value)) {
        errors.push(
          fieldError(['input', name, index], FieldErrorCode.INVALID, `${value} is not one of ${allowed.join(', ')}.`),
        );
      }
    });
    data[name] = [...new Set(given)];
  };
  list('types', ENTITY_TYPES);
  list('operations', OPERATIONS);
  if (input.filters) {
    const { eventId, contestedOnly } = input.filters;
    data.eventId = eventId ?? null;
    data.contestedOnly = contestedOnly ?? false;
    if (eventId != null) {
      if (!UUID_PATTERN.test(eventId)) {
        errors.push(
          fieldError(['input', 'filters', 'eventId'], FieldErrorCode.INVALID, 'eventId must be an event id (a UUID).'),
        );
      } else {
        const confirmed = await confirmForeign(deps.peers, deps.principal, OWNERS.event, [
          { field: ['input', 'filters', 'eventId'], id: eventId },
        ]);
        errors.push(...confirmed.errors);
        data.eventId = confirmed.ids[0] ?? eventId;
      }
    }
  }
  if (input.description !== undefined) {
    if (input.description !== null && input.description.length > MAX_DESCRIPTION) {
      errors.push(
        fieldError(
          ['input', 'description'],
          FieldErrorCode.TOO_LONG,
          `A description is at most ${MAX_DESCRIPTION} characters.`,
        ),
      );
    }
    data.description = input.description;
  }
  return { data, errors };
}

export interface SecretPayload {
  subscription: WebhookSubscription | null;
  secret: string | null;
  errors: FieldError[];
}

export async function createSubscription(
  input: SubscriptionFields & { url: string },
  deps: Deps,
): Promise<SecretPayload> {
  const writer = writerOf(deps.principal);
  const { data, errors } = await checkFields(input, deps);
  if (errors.length) return { subscription: null, secret: null, errors };
  const secret = newSecret();
  const subscription = await deps.prisma.webhookSubscription.create({
    data: {
      id: randomUUID(),
      createdBy: writer,
      url: data.url!,
      types: data.types ?? [],
      operations: data.operations ?? [],
      eventId: data.eventId ?? null,
      contestedOnly: data.contestedOnly ?? false,
      description: data.description ?? null,
      secret,
    },
  });
  return { subscription, secret, errors: [] };
}

/** The subscription `id` names, when this key may change it; else the field error that says why not. */
async function subscriptionToChange(
  id: string,
  deps: Deps,
  field: string[] = ['input', 'id'],
): Promise<{ subscription: WebhookSubscription } | { error: FieldError }> {
  const writer = writerOf(deps.principal);
  const subscription = UUID_PATTERN.test(id)
    ? await deps.prisma.webhookSubscription.findUnique({ where: { id } })
    : null;
  if (!subscription)
    return { error: fieldError(field, FieldErrorCode.NOT_FOUND, `There is no webhook subscription ${id}.`) };
  if (subscription.createdBy !== writer && !deps.principal!.scopes.includes('ADMIN')) {
    return {
      error: fieldError(
        field,
        FieldErrorCode.FORBIDDEN,
        'This subscription belongs to another key; only that key or an admin key may change it.',
      ),
    };
  }
  return { subscription };
}

export interface SubscriptionPayload {
  subscription: WebhookSubscription | null;
  errors: FieldError[];
}

export async function updateSubscription(
  input: SubscriptionFields & { id: string },
  deps: Deps,
): Promise<SubscriptionPayload> {
  const found = await subscriptionToChange(input.id, deps);
  if ('error' in found) return { subscription: null, errors: [found.error] };
  const { data, errors } = await checkFields(input, deps);
  if (errors.length) return { subscription: null, errors };
  const subscription = await deps.prisma.webhookSubscription.update({ where: { id: input.id }, data });
  return { subscription, errors: [] };
}

export async function rotateSecret(id: string, deps: Deps): Promise<SecretPayload> {
  const found = await subscriptionToChange(id, deps);
  if ('error' in found) return { subscription: null, secret: null, errors: [found.error] };
  const secret = newSecret();
  const subscription = await deps.prisma.webhookSubscription.update({
    where: { id },
    data: {
      secret,
      previousSecret: found.subscription.secret,
      previousSecretExpiresAt: new Date(Date.now() + SECRET_OVERLAP_MS),
    },
  });
  return { subscription, secret, errors: [] };
}

export async function deleteSubscription(id: string, deps: Deps): Promise<SubscriptionPayload> {
  const found = await subscriptionToChange(id, deps);
  if ('error' in found) return { subscription: null, errors: [found.error] };
  await deps.prisma.webhookSubscription.delete({ where: { id } });
  return { subscription: found.subscription, errors: [] };
}

export async function enableSubscription(id: string, deps: Deps): Promise<SubscriptionPayload> {
  const found = await subscriptionToChange(id, deps);
  if ('error' in found) return { subscription: null, errors: [found.error] };
  const subscription = await deps.prisma.webhookSubscription.update({
    where: { id },
    data: { enabled: true, disabledAt: null, disabledReason: null, consecutiveFailures: 0 },
  });
  deliveryDue.notify();
  return { subscription, errors: [] };
}

/** Sends a delivery again from the start of its retry schedule, with the same webhook-id and body. */
export async function redeliver(
  deliveryId: string,
  deps: Deps,
): Promise<{ delivery: WebhookDelivery | null; errors: FieldError[] }> {
  const field = ['input', 'deliveryId'];
  const delivery = UUID_PATTERN.test(deliveryId)
    ? await deps.prisma.webhookDelivery.findUnique({ where: { id: deliveryId } })
    : null;
  if (!delivery)
    return {
      delivery: null,
      errors: [fieldError(field, FieldErrorCode.NOT_FOUND, `There is no webhook delivery ${deliveryId}.`)],
    };
  const found = await subscriptionToChange(delivery.subscriptionId, deps, field);
  if ('error' in found) {
    const error =
      found.error.code === FieldErrorCode.NOT_FOUND
        ? { ...found.error, message: `There is no webhook delivery ${deliveryId}.` }
        : found.error;
    return { delivery: null, errors: [error] };
  }
  if (!found.subscription.enabled) {
    return {
      delivery: null,
      errors: [
        fieldError(
          field,
          FieldErrorCode.INVALID,
          'Its subscription is disabled: enable it first (enableWebhookSubscription).',
        ),
      ],
    };
  }
  const updated = await deps.prisma.webhookDelivery.update({
    where: { id: deliveryId },
    data: { status: 'PENDING', attempts: 0, nextAttemptAt: new Date(), leasedUntil: null, deliveredAt: null },
  });
  deliveryDue.notify();
  return { delivery: updated, errors: [] };
}
