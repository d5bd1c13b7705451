// Webhooks through the real gateway: subscriptions made with partners' keys, changes made through
// the API, and a real HTTP receiver here that verifies every delivery's Standard Webhooks
// signature. The imports service follows the change feeds, queues deliveries on its database,
// retries failures, and is killed mid-retry to show that nothing queued is lost.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@newsfacts/platform/seed-ids';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { eventually, sleep } from '../helpers/eventually';
import { postGraphQL, startFederation, type AnyData, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';

interface Received {
  path: string;
  id: string;
  at: number;
  payload: AnyData;
}

/** The partner's endpoint: answers each path with the statuses queued for it (then 200), verifying every signature. */
class Receiver {
  server = http.createServer((req, res) => this.handle(req, res));
  received: Received[] = [];
  unverified: string[] = [];
  secrets = new Map<string, string>();
  answers = new Map<string, number[]>();
  /** Answered to every request on a path, after any queued answers. */
  standing = new Map<string, number>();
  port = 0;

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url = (path: string) => `http://127.0.0.1:${this.port}${path}`;

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      const body = Buffer.concat(chunks).toString('utf8');
      const secret = this.secrets.get(path);
      let payload: AnyData;
      try {
        payload = new Webhook(secret ?? 'whsec_').verify(body, req.headers as Record<string, string>) as AnyData;
      } catch (error) {
        this.unverified.push(`${path}: ${(error as Error).message}`);
        res.writeHead(400).end();
        return;
      }
      this.received.push({ path, id: String(req.headers['webhook-id']), at: Date.now(), payload });
      const status = this.answers.get(path)?.shift() ?? this.standing.get(path) ?? 200;
      res.writeHead(status).end();
    });
  }

  on = (path: string) => this.received.filter((delivery) => delivery.path === path);
}

const SUBSCRIPTION = `id url types operations filters { eventId contestedOnly } description enabled disabledReason consecutiveFailures`;
const CREATE = `mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) { subscription { ${SUBSCRIPTION} } secret errors { field code message } }
}`;
const DELIVERIES = `query($id: ID!) { webhookSubscription(id: $id) { ${SUBSCRIPTION}
  deliveries(first: 100) { totalCount nodes { id type status attempts lastStatusCode lastError nextAttemptAt deliveredAt payload } } } }`;

let federation: Federation;
let keys: Record<'reader' | 'kyiv' | 'lviv', string>;
const receiver = new Receiver();
const restarted: ServiceProcess[] = [];
let placeCount = 0;

const as = (key: string, query: string, variables?: Record<string, unknown>) =>
  postGraphQL(`${federation.gatewayUrl}/graphql`, query, variables, { authorization: `Bearer ${key}` });

async function data(key: string, query: string, variables?: Record<string, unknown>): Promise<AnyData> {
  const { body } = await as(key, query, variables);
  expect(body.errors).toBeUndefined();
  return body.data!;
}

/** Subscribes `path` on the receiver, and remembers its secret to verify with. */
async function subscribe(path: string, input: Record<string, unknown> = {}, key = keys.kyiv): Promise<AnyData> {
  const { createWebhookSubscription: created } = await data(key, CREATE, {
    input: { url: receiver.url(path), ...input },
  });
  expect(created.errors).toEqual([]);
  expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  receiver.secrets.set(path, created.secret);
  return created.subscription;
}

async function createPlace(): Promise<string> {
  placeCount += 1;
  const { createPlace: created } = await data(
    keys.kyiv,
    `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { place { id } errors { code message } } }`,
    { input: { name: `Webhook Test Village ${placeCount}`, countryCode: 'UA', geoPrecision: 'SETTLEMENT' } },
  );
  expect(created.errors).toEqual([]);
  return created.place.id;
}

async function deliveriesOf(id: string, key = keys.kyiv): Promise<AnyData> {
  return (await data(key, DELIVERIES, { id })).webhookSubscription;
}

beforeAll(async () => {
  await receiver.start();
  federation = await startFederation({
    env: {
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_BASE_MS: '200',
      WEBHOOK_POLL_MS: '200',
      WEBHOOK_MAX_FAILURES: '8',
      WEBHOOK_TIMEOUT_MS: '2000',
    },
  });
  const [reader, kyiv, lviv] = await Promise.all([
    createKey(federation.env, 'Reader', 'read'),
    createKey(federation.env, 'Kyiv Desk', 'read,write'),
    createKey(federation.env, 'Lviv Desk', 'read,write'),
  ]);
  keys = { reader: reader.key, kyiv: kyiv.key, lviv: lviv.key };
}, 180_000);

afterAll(async () => {
  await stopAll(restarted);
  await federation?.stop();
  await new Promise((resolve) => receiver.server.close(resolve));
  // Every request that reached the receiver carried a valid signature.
  expect(receiver.unverified).toEqual([]);
});

describe('deliveries', () => {
  it('sends each matching change once, signed, with the feed cursor; other types do not arrive', async () => {
    const places = await subscribe('/places', { types: ['Place'], description: 'Places only' });
    const everything = await subscribe('/everything');
    const placeId = await createPlace();
    await data(keys.kyiv, `mutation($input: UpdatePlaceInput!) { updatePlace(input: $input) { errors { code } } }`, {
      input: { id: placeId, region: 'Sumy Oblast' },
    });
    const { createActor } = await data(
      keys.kyiv,
      `mutation($input: CreateActorInput!) { createActor(input: $input) { actor { id } errors { code } } }`,
      { input: { name: 'Webhook Test Witness', kind: 'PERSON', description: 'Invented for a test.' } },
    );
    const actorId = createActor.actor.id;

    await eventually(() => expect(receiver.on('/places')).toHaveLength(2), 30_000, 100);
    await eventually(() => expect(receiver.on('/everything').length).toBeGreaterThanOrEqual(3), 30_000, 100);
    await sleep(1_000);
    const placeDeliveries = receiver.on('/places').map((delivery) => delivery.payload);
    expect(placeDeliveries.map((payload) => payload.type).sort()).toEqual(['place.create', 'place.update']);
    for (const payload of placeDeliveries) {
      expect(payload.data).toMatchObject({ entityType: 'Place', entityId: placeId, feed: 'events' });
      expect(payload.data.cursor).toEqual(expect.any(String));
      expect(Date.parse(payload.timestamp)).not.toBeNaN();
    }
    expect(placeDeliveries.find((payload) => payload.type === 'place.update')!.data.fields).toContain('region');
    const all = receiver.on('/everything');
    expect(all.map((delivery) => delivery.payload.data.entityId)).toEqual(
      expect.arrayContaining([placeId, placeId, actorId]),
    );
    expect(all.find((delivery) => delivery.payload.data.entityId === actorId)!.payload).toMatchObject({
      type: 'actor.create',
      data: { entityType: 'Actor', operation: 'CREATE', feed: 'actors' },
    });
    // Once per entry: no webhook-id and no cursor twice.
    for (const path of ['/places', '/everything']) {
      const deliveries = receiver.on(path);
      expect(new Set(deliveries.map((delivery) => delivery.id)).size).toBe(deliveries.length);
      expect(new Set(deliveries.map((delivery) => delivery.payload.data.cursor)).size).toBe(deliveries.length);
    }
    const log = await deliveriesOf(places.id);
    expect(log.deliveries.totalCount).toBe(2);
    expect(log.deliveries.nodes.every((node: AnyData) => node.status === 'DELIVERED' && node.attempts === 1)).toBe(
      true,
    );
    expect(everything.types).toEqual([]);
  }, 60_000);

  it('filters: claims of one event, and claims that become contested', async () => {
    const raid = seedId.event('belgorod-incursion-2023');
    const other = seedId.event('kozinka-border-post-attack-2023');
    const ofRaid = await subscribe('/raid-claims', { filters: { eventId: raid } });
    const contested = await subscribe('/contested', { filters: { contestedOnly: true } });
    expect(contested.filters).toEqual({ eventId: null, contestedOnly: true });
    expect(ofRaid.filters).toEqual({ eventId: raid, contestedOnly: false });

    const claim = async (eventId: string, text: string) => {
      const { createClaim } = await data(
        keys.kyiv,
        `mutation($input: CreateClaimInput!) { createClaim(input: $input) { claim { id } errors { code message } } }`,
        { input: { eventId, aspect: 'PERPETRATOR', question: `Who did it (${text})?`, text } },
      );
      expect(createClaim.errors).toEqual([]);
      return createClaim.claim.id as string;
    };
    const statement = async (claimId: string, stance: string) => {
      const { createStatement } = await data(
        keys.kyiv,
        `mutation($input: CreateStatementInput!) { createStatement(input: $input) { statement { id } errors { code message } } }`,
        {
          input: {
            claimId,
            speakerId: seedId.actor('vyacheslav-gladkov'),
            stance,
            paraphrase: `He ${stance.toLowerCase()} it, for a webhook test.`,
            channel: 'TELEGRAM',
            sourceId: seedId.source('belgorod-incursion-report-2023-05-23'),
          },
        },
      );
      expect(createStatement.errors).toEqual([]);
      return createStatement.statement.id as string;
    };
    const raidClaim = await claim(raid, 'A webhook test group did it.');
    const otherClaim = await claim(other, 'Someone else did it, says a webhook test.');
    const asserting = await statement(raidClaim, 'ASSERTS');
    await statement(otherClaim, 'ASSERTS');
    // Followed before the denial, so that the claim is seen uncontested first.
    await eventually(() => expect(receiver.on('/raid-claims')).toHaveLength(2), 30_000, 100);
    const denying = await statement(raidClaim, 'DENIES');

    await eventually(() => expect(receiver.on('/contested')).toHaveLength(1), 30_000, 100);
    await eventually(() => expect(receiver.on('/raid-claims')).toHaveLength(3), 30_000, 100);
    await sleep(1_000);
    expect(
      receiver
        .on('/raid-claims')
        .map((delivery) => delivery.payload.data.entityId)
        .sort(),
    ).toEqual([raidClaim, asserting, denying].sort());
    const [becameContested] = receiver.on('/contested');
    expect(becameContested!.payload).toMatchObject({
      type: 'claim.contested',
      data: {
        entityType: 'Claim',
        entityId: raidClaim,
        operation: 'CONTESTED',
        feed: 'statements',
        cause: { entityType: 'Statement', entityId: denying, operation: 'CREATE' },
      },
    });
    // Contested once is not contested again: another denial sends nothing more.
    await statement(raidClaim, 'DISPUTES');
    await eventually(() => expect(receiver.on('/raid-claims')).toHaveLength(4), 30_000, 100);
    await sleep(1_000);
    expect(receiver.on('/contested')).toHaveLength(1);
  }, 60_000);

  it('retries failures with backoff, logs every attempt, and redelivers on request', async () => {
    const subscription = await subscribe('/flaky', { types: ['Place'] });
    receiver.answers.set('/flaky', [500, 500, 503]);
    const placeId = await createPlace();
    await eventually(() => expect(receiver.on('/flaky')).toHaveLength(4), 30_000, 100);
    const attempts = receiver.on('/flaky');
    expect(new Set(attempts.map((attempt) => attempt.id)).size).toBe(1);
    expect(attempts.every((attempt) => attempt.payload.data.entityId === placeId)).toBe(true);
    // Each wait is at most its ceiling (200 ms × 1, 6, 24), plus a poll.
    const gaps = attempts.slice(1).map((attempt, index) => attempt.at - attempts[index]!.at);
    [200, 1_200, 4_800].forEach((ceiling, index) => expect(gaps[index]).toBeLessThan(ceiling + 1_500));

    const log = await eventually(async () => {
      const found = await deliveriesOf(subscription.id);
      expect(found.deliveries.nodes[0]).toMatchObject({ status: 'DELIVERED', attempts: 4, lastStatusCode: 200 });
      // Read apart from the delivery (the subscription first), so it may lag one read behind.
      expect(found.consecutiveFailures).toBe(0);
      return found;
    });
    const [delivery] = log.deliveries.nodes;
    expect(delivery.payload).toEqual(attempts[0]!.payload);
    expect(delivery.deliveredAt).not.toBeNull();

    const { redeliverWebhook } = await data(
      keys.kyiv,
      `mutation($input: RedeliverWebhookInput!) { redeliverWebhook(input: $input) { delivery { id status } errors { code } } }`,
      { input: { deliveryId: delivery.id } },
    );
    expect(redeliverWebhook).toEqual({ delivery: { id: delivery.id, status: 'PENDING' }, errors: [] });
    await eventually(() => expect(receiver.on('/flaky')).toHaveLength(5), 30_000, 100);
    expect(receiver.on('/flaky').at(-1)!.id).toBe(delivery.id);
  }, 60_000);

  it('a 410 disables the subscription, saying so', async () => {
    const subscription = await subscribe('/gone', { types: ['Place'] });
    receiver.standing.set('/gone', 410);
    await createPlace();
    const disabled = await eventually(async () => {
      const found = await deliveriesOf(subscription.id);
      expect(found.enabled).toBe(false);
      return found;
    }, 30_000);
    expect(disabled.disabledReason).toMatch(/410 Gone/);
    expect(disabled.deliveries.nodes[0]).toMatchObject({ status: 'FAILED', lastStatusCode: 410 });
    // A disabled subscription is sent nothing, and queues nothing.
    await createPlace();
    await sleep(1_500);
    expect(receiver.on('/gone')).toHaveLength(1);
    receiver.standing.delete('/gone');
    const { enableWebhookSubscription } = await data(
      keys.kyiv,
      `mutation($input: WebhookSubscriptionIdInput!) { enableWebhookSubscription(input: $input) { subscription { enabled disabledReason } errors { code } } }`,
      { input: { id: subscription.id } },
    );
    expect(enableWebhookSubscription).toEqual({ subscription: { enabled: true, disabledReason: null }, errors: [] });
    const placeId = await createPlace();
    await eventually(() => expect(receiver.on('/gone')).toHaveLength(2), 30_000, 100);
    expect(receiver.on('/gone')[1]!.payload.data.entityId).toBe(placeId);
  }, 60_000);

  it('WEBHOOK_MAX_FAILURES failed attempts in a row disable the subscription, saying why', async () => {
    const subscription = await subscribe('/broken', { types: ['Place'] });
    receiver.standing.set('/broken', 500);
    for (let count = 0; count < 8; count++) await createPlace();
    const disabled = await eventually(async () => {
      const found = await deliveriesOf(subscription.id);
      expect(found.enabled).toBe(false);
      return found;
    }, 60_000);
    expect(disabled.disabledReason).toMatch(/^8 delivery attempts in a row failed .*HTTP 500/);
    // Every attempt failed with the endpoint's 500. Not every delivery need have been tried: a
    // first one's retry may come due before the last place's delivery is queued.
    const attempted = disabled.deliveries.nodes.filter((node: AnyData) => node.attempts > 0);
    expect(attempted.every((node: AnyData) => node.lastStatusCode === 500)).toBe(true);
    expect(attempted.reduce((sum: number, node: AnyData) => sum + node.attempts, 0)).toBeGreaterThanOrEqual(8);
  }, 90_000);
});

describe('a restart', () => {
  it('the delivering process killed mid-retry: restarted, it delivers every change at least once', async () => {
    await subscribe('/restart', { types: ['Place'] });
    receiver.standing.set('/restart', 500);
    const placeIds = [await createPlace(), await createPlace()];
    await eventually(
      () => {
        const seen = new Set(receiver.on('/restart').map((delivery) => delivery.payload.data.entityId));
        expect([...seen].sort()).toEqual([...placeIds].sort());
      },
      30_000,
      20,
    );
    const imports = restarted.find((service) => service.name === 'imports') ?? federation.processes.imports;
    imports.child.kill('SIGKILL');
    await imports.exited;
    receiver.standing.delete('/restart');
    const failedBefore = receiver.on('/restart').length;
    const again = startService('imports', 'services/imports/src/index.ts', federation.env, (source, line) =>
      federation.output.push(`[${source}] ${line}`),
    );
    restarted.push(again);
    await waitUntilReady(`${federation.subgraphUrls.imports}/readyz`, again);
    await eventually(
      () => {
        const after = receiver.on('/restart').slice(failedBefore);
        expect(new Set(after.map((delivery) => delivery.payload.data.entityId))).toEqual(new Set(placeIds));
      },
      60_000,
      100,
    );
  }, 120_000);
});

describe('refused subscriptions', () => {
  const errorsOf = async (input: Record<string, unknown>, key = keys.kyiv) => {
    const { createWebhookSubscription: answer } = await data(key, CREATE, { input });
    expect(answer.subscription).toBeNull();
    expect(answer.secret).toBeNull();
    return answer.errors.map((error: AnyData) => [error.field.join('.'), error.code]);
  };
  const count = async () =>
    (await data(keys.kyiv, `{ webhookSubscriptions(first: 1) { totalCount } }`)).webhookSubscriptions.totalCount;

  it('refuses private, loopback, link-local and metadata addresses, other schemes, credentials and bad input, writing nothing', async () => {
    const before = await count();
    for (const url of [
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/',
      'http://[fd00:ec2::254]/',
    ]) {
      expect(await errorsOf({ url }), url).toEqual([['input.url', 'BLOCKED_ADDRESS']]);
    }
    // localhost resolves to 127.0.0.1, but only the name 127.0.0.1 is allow-listed.
    expect(await errorsOf({ url: `http://localhost:${receiver.port}/` })).toEqual([['input.url', 'BLOCKED_ADDRESS']]);
    expect(await errorsOf({ url: 'ftp://example.org/' })).toEqual([['input.url', 'INVALID']]);
    expect(await errorsOf({ url: `http://user:pass@127.0.0.1:${receiver.port}/` })).toEqual([['input.url', 'INVALID']]);
    expect(await errorsOf({ url: 'not a url' })).toEqual([['input.url', 'INVALID']]);
    expect(
      await errorsOf({
        url: receiver.url('/refused'),
        types: ['Place', 'Planet'],
        operations: ['CREATE', 'EXPLODE'],
        description: 'x'.repeat(501),
        filters: { eventId: '00000000-0000-4000-8000-000000000000' },
      }),
    ).toEqual([
      ['input.types.1', 'INVALID'],
      ['input.operations.1', 'INVALID'],
      ['input.filters.eventId', 'UNKNOWN_REFERENCE'],
      ['input.description', 'TOO_LONG'],
    ]);
    expect(await count()).toBe(before);
  });

  it("another partner's key can neither see nor change a subscription; a read key cannot subscribe", async () => {
    const mine = await subscribe('/private', { types: ['Actor'] });
    expect((await data(keys.lviv, DELIVERIES, { id: mine.id })).webhookSubscription).toBeNull();
    for (const mutation of [
      'updateWebhookSubscription',
      'rotateWebhookSecret',
      'deleteWebhookSubscription',
      'enableWebhookSubscription',
    ]) {
      const input =
        mutation === 'updateWebhookSubscription' ? 'UpdateWebhookSubscriptionInput' : 'WebhookSubscriptionIdInput';
      const answer = await data(
        keys.lviv,
        `mutation($input: ${input}!) { ${mutation}(input: $input) { subscription { id } errors { field code } } }`,
        { input: { id: mine.id } },
      );
      expect(answer[mutation], mutation).toEqual({
        subscription: null,
        errors: [{ field: ['input', 'id'], code: 'FORBIDDEN' }],
      });
    }
    const unknown = await data(
      keys.kyiv,
      `mutation { deleteWebhookSubscription(input: { id: "00000000-0000-4000-8000-000000000000" }) { errors { field code } } }`,
    );
    expect(unknown.deleteWebhookSubscription.errors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
    const { body } = await as(keys.reader, CREATE, { input: { url: receiver.url('/reader') } });
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await deliveriesOf(mine.id)).url).toBe(receiver.url('/private'));
  });

  it('rotation: a new secret shown once, the old one signing alongside', async () => {
    const subscription = await subscribe('/rotated', { types: ['Place'] });
    const oldSecret = receiver.secrets.get('/rotated')!;
    const { rotateWebhookSecret } = await data(
      keys.kyiv,
      `mutation($input: WebhookSubscriptionIdInput!) { rotateWebhookSecret(input: $input) { secret subscription { id } errors { code } } }`,
      { input: { id: subscription.id } },
    );
    expect(rotateWebhookSecret.secret).not.toBe(oldSecret);
    // A receiver still on the old secret verifies, and so does one on the new.
    await createPlace();
    await eventually(() => expect(receiver.on('/rotated')).toHaveLength(1), 30_000, 100);
    receiver.secrets.set('/rotated', rotateWebhookSecret.secret);
    await createPlace();
    await eventually(() => expect(receiver.on('/rotated')).toHaveLength(2), 30_000, 100);
  });
});
