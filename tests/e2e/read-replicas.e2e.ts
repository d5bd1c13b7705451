// Read replicas against a real streaming standby: the test initdb's a primary on a free port,
// makes a standby of it with pg_basebackup, and runs the events subgraph on both. Queries read
// from the standby, writes go to the primary, a read that must see a write just made goes to
// the primary, and with the standby stopped every read falls back to the primary.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_PRIMARY_HEADER, signRequest, type ForwardedPrincipal } from '@newsfacts/platform/signing';
import { prepareDatabase } from '../../scripts/lib/databases';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { eventually } from '../helpers/eventually';
import { freePort, type AnyData } from '../helpers/federation';
import { startPrivatePostgres, startStandby, type PrivatePostgres } from '../helpers/private-postgres';

const secret = randomBytes(32).toString('hex');
const WRITER: ForwardedPrincipal = { kind: 'key', keyId: 'key_replica_test', scopes: ['READ', 'WRITE'] };
let primary: PrivatePostgres;
let standby: PrivatePostgres;
let events: ServiceProcess;
let eventsUrl: string;
let primaryUrl: string;
const output: string[] = [];

async function ask(query: string, variables: Record<string, unknown> = {}, options: { primary?: boolean } = {}) {
  const body = JSON.stringify({ query, variables });
  const response = await fetch(`${eventsUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.primary ? { [READ_PRIMARY_HEADER]: '1' } : {}),
      ...signRequest(secret, 'events', WRITER, body),
    },
    body,
  });
  return (await response.json()) as {
    data?: AnyData | null;
    errors?: Array<{ extensions?: { code?: string } }>;
  };
}

const PLACE = `query($id: ID) { place(id: $id) { id name } }`;
const clientsOn = async (server: PrivatePostgres) => {
  const client = new pg.Client({ connectionString: server.url() });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = 'nf_events' AND backend_type = 'client backend'`,
    );
    return rows[0]!.count;
  } finally {
    await client.end();
  }
};

beforeAll(async () => {
  primary = await startPrivatePostgres();
  primaryUrl = await primary.createDatabase('nf_events');
  await prepareDatabase('events', { kind: 'postgres', url: primaryUrl });
  standby = await startStandby(primary);
  const port = await freePort();
  eventsUrl = `http://127.0.0.1:${port}`;
  events = startService(
    'events',
    'services/events/src/index.ts',
    {
      ...process.env,
      EVENTS_PORT: String(port),
      EVENTS_DATABASE_URL: primaryUrl,
      EVENTS_DATABASE_REPLICA_URLS: standby.url('nf_events'),
      SUBGRAPH_SIGNING_SECRET: secret,
      LOG_LEVEL: 'warn',
      METRICS_TOKEN: '',
    },
    (_name, line) => output.push(line),
  );
  await waitUntilReady(`${eventsUrl}/readyz`, events);
}, 120_000);

afterAll(async () => {
  if (events) await stopAll([events]);
  await standby?.destroy();
  await primary?.destroy();
});

describe('a subgraph on a primary and a streaming standby', () => {
  let placeId: string;

  it('writes on the primary, and reads its own write at once from the primary when asked', async () => {
    const created = await ask(
      `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { place { id } errors { code } } }`,
      { input: { name: 'Grayvoron', region: 'Belgorod Oblast', countryCode: 'RU', geoPrecision: 'SETTLEMENT' } },
    );
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    placeId = created.data!.createPlace.place.id;
    const own = await ask(PLACE, { id: placeId }, { primary: true });
    expect(own.data!.place).toEqual({ id: placeId, name: 'Grayvoron' });
    // And the standby has it soon after, by replication.
    await eventually(
      async () => expect((await ask(PLACE, { id: placeId })).data!.place?.name).toBe('Grayvoron'),
      10_000,
    );
  });

  it('serves reads from the standby: with the primary stopped, queries still answer and writes are refused', async () => {
    expect(await clientsOn(standby)).toBeGreaterThan(0);
    await primary.stop();
    try {
      for (let read = 0; read < 5; read++) {
        const answer = await ask(PLACE, { id: placeId });
        expect(answer.errors).toBeUndefined();
        expect(answer.data!.place.name).toBe('Grayvoron');
      }
      const write = await ask(
        `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { place { id } errors { code } } }`,
        { input: { name: 'Nekhoteevka', countryCode: 'RU', geoPrecision: 'SETTLEMENT' } },
      );
      expect(write.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await primary.start();
    }
  });

  it('falls back to the primary, with no failed request, when the standby stops', async () => {
    await standby.stop();
    try {
      for (let read = 0; read < 10; read++) {
        const answer = await ask(PLACE, { id: placeId });
        expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
        expect(answer.data!.place.name).toBe('Grayvoron');
      }
      expect(output.join('\n')).toMatch(/replica unreachable; reading from the primary/);
    } finally {
      await standby.start();
    }
  });
});
