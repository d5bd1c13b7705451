/**
 * Faults, caused for real against the real processes over HTTP: a slow subgraph, a subgraph
 * down (before the gateway starts, and while it runs), SIGTERM under load, PostgreSQL
 * restarted under load (on a server of the test's own), and the embedded database killed in
 * the middle of writes. Each asserts what a client sees: a coded answer in bounded time,
 * never a 500, a stack or a hang, and recovery without restarting anything.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '@newsfacts/platform/signing';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { prepareDatabase } from '../../scripts/lib/databases';
import { seedDirectly } from '../helpers/seed-fixture';
import { startDelayingProxy, type DelayingProxy } from '../helpers/delaying-proxy';
import {
  freePort,
  postGraphQL,
  startFederation,
  startGatewayProcess,
  type Federation,
  type GraphQLResponse,
} from '../helpers/federation';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres';
import { eventually } from '../helpers/eventually';

const RAID_SLUG = 'belgorod-incursion-2023';
const SOURCE_SLUG = 'belgorod-incursion-report-2023-05-23';
/** One root field answered by the events subgraph, one by statements: half can fail alone. */
const EVENT_AND_SOURCE = `{ event(slug: "${RAID_SLUG}") { title } source(slug: "${SOURCE_SLUG}") { title } }`;
const UNAVAILABLE = {
  message: 'Part of this answer is unavailable right now; try again shortly.',
  code: 'SERVICE_UNAVAILABLE',
};
const NOTHING_INTERNAL =
  /stacktrace|at \w+ \(|127\.0\.0\.1|ECONNREFUSED|ECONNRESET|aborted|statements|actors|:\d{4,5}/i;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: GraphQLResponse['body'];
  /** The connection it came on, to watch whether the server closes it. */
  socket: import('node:net').Socket;
  at: number;
}

/** One request through node:http, so that the test controls keep-alive and sees the socket. */
function request(url: string, { body, agent }: { body?: string; agent?: http.Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      url,
      {
        method: body ? 'POST' : 'GET',
        agent: agent ?? false,
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (response) => {
        // Taken now: a keep-alive agent detaches the socket from the response once it ends.
        const socket = response.socket;
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: response.headers,
            body: text && JSON.parse(text),
            socket,
            at: Date.now(),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function connectionRefused(url: string): Promise<boolean> {
  try {
    await request(url);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

function expectOnlyUnavailable(response: {
  body: { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}) {
  expect(response.body.errors?.length).toBeGreaterThanOrEqual(1);
  for (const error of response.body.errors!) {
    expect({ message: error.message, code: error.extensions?.code }).toEqual(UNAVAILABLE);
  }
  expect(JSON.stringify(response.body.errors)).not.toMatch(NOTHING_INTERNAL);
}

describe('a federation whose subgraphs are slow, stopped or down', () => {
  let federation: Federation;
  let proxy: DelayingProxy;
  const extraProcesses: ServiceProcess[] = [];

  /** Another gateway process on the federation's subgraphs, with settings of its own. */
  async function startGateway(name: string, env: NodeJS.ProcessEnv) {
    const started = await startGatewayProcess(federation, name, env);
    extraProcesses.push(started.gateway);
    return started;
  }

  beforeAll(async () => {
    proxy = await startDelayingProxy();
    federation = await startFederation();
    proxy.target = federation.subgraphUrls.statements;
  }, 180_000);

  afterAll(async () => {
    await stopAll(extraProcesses);
    await federation?.stop();
    await proxy?.close();
  });

  it('a slow subgraph: the per-fetch timeout fires, and the client gets the rest with a masked error in about the timeout', async () => {
    const timeoutMs = 1_000;
    const { url } = await startGateway('gateway-slow-statements', {
      SUBGRAPH_TIMEOUT_MS: String(timeoutMs),
      STATEMENTS_URL: `${proxy.url}/graphql`,
    });
    // Both halves answer at first (retried: a subgraph's first query is slow on a busy machine).
    await eventually(async () =>
      expect((await postGraphQL(`${url}/graphql`, EVENT_AND_SOURCE)).body.errors).toBeUndefined(),
    );

    proxy.delayMs = 10_000;
    try {
      const startedAt = Date.now();
      const response = await postGraphQL(`${url}/graphql`, EVENT_AND_SOURCE);
      const elapsed = Date.now() - startedAt;
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ event: { title: expect.stringMatching(/Belgorod/) }, source: null });
      expectOnlyUnavailable(response);
      expect(response.body.errors).toHaveLength(1);
      // The timeout, not the subgraph's 10 s, decides when the client hears back.
      expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 50);
      expect(elapsed).toBeLessThan(timeoutMs + 4_000);
    } finally {
      proxy.delayMs = 0;
    }
  }, 60_000);

  it('fetches in sequence share one request deadline: a late fetch gets what is left of it, not its own full limit', async () => {
    // events answers in 2.5 s (inside its 4 s limit), then statements would hang: alone, each
    // fetch may take 4 s (6.5 s in all); the request's 4.5 s deadline leaves statements 2 s.
    const eventsProxy = await startDelayingProxy();
    eventsProxy.target = federation.subgraphUrls.events;
    try {
      const { url } = await startGateway('gateway-deadline', {
        SUBGRAPH_TIMEOUT_MS: '4000',
        REQUEST_TIMEOUT_MS: '4500',
        EVENTS_URL: `${eventsProxy.url}/graphql`,
        STATEMENTS_URL: `${proxy.url}/graphql`,
      });
      const EVENT_THEN_CLAIMS = '{ event(slug: "belgorod-incursion-2023") { title claims { text } } }';
      await eventually(async () =>
        expect((await postGraphQL(`${url}/graphql`, EVENT_THEN_CLAIMS)).body.errors).toBeUndefined(),
      );

      eventsProxy.delayMs = 2_500;
      proxy.delayMs = 10_000;
      const startedAt = Date.now();
      const response = await postGraphQL(`${url}/graphql`, EVENT_THEN_CLAIMS);
      const elapsed = Date.now() - startedAt;
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ event: { title: expect.stringMatching(/Belgorod/), claims: null } });
      expectOnlyUnavailable(response);
      expect(elapsed).toBeGreaterThanOrEqual(4_400);
      expect(elapsed).toBeLessThan(5_800);
    } finally {
      proxy.delayMs = 0;
      await eventsProxy.close();
    }
  }, 60_000);

  it('SIGTERM under load: not ready first, in-flight requests answered, then no new connections, keep-alive closed, exit 0', async () => {
    const graceMs = 1_500;
    const { gateway, url } = await startGateway('gateway-draining', {
      SHUTDOWN_GRACE_MS: String(graceMs),
      SUBGRAPH_TIMEOUT_MS: '10000',
      STATEMENTS_URL: `${proxy.url}/graphql`,
      // Each slow query keeps a subgraph request of its own in flight.
      MERGE_FETCHES_ACROSS_REQUESTS: 'false',
    });
    const idleAgent = new http.Agent({ keepAlive: true });
    const busyAgent = new http.Agent({ keepAlive: true });
    try {
      // A keep-alive connection sitting idle between two requests, as clients keep them.
      const idle = await request(`${url}/healthz`, { agent: idleAgent });
      let idleClosedAt = Infinity;
      idle.socket.once('close', () => (idleClosedAt = Date.now()));

      // Slow queries in flight, each on its own keep-alive connection, held by the proxy on
      // their way to the statements subgraph until well after the grace period. Each is named
      // apart, so that the gateway neither shares one fetch among them nor merges theirs.
      proxy.delayMs = graceMs + 2_500;
      const slow = Array.from({ length: 3 }, (_, index) =>
        request(`${url}/graphql`, {
          agent: busyAgent,
          body: JSON.stringify({ query: `query Slow${index} ${EVENT_AND_SOURCE}` }),
        }),
      );
      await eventually(() => expect(proxy.pending).toBe(3));

      gateway.child.kill('SIGTERM');
      // Not ready while it still serves, so that a load balancer stops sending before the port closes.
      await eventually(async () => expect((await request(`${url}/readyz`)).status).toBe(503), 5_000);
      const duringGrace = await request(`${url}/graphql`, {
        body: JSON.stringify({ query: `{ event(slug: "${RAID_SLUG}") { title } }` }),
      });
      expect(duringGrace.status).toBe(200);

      // After the grace: no new connections, and the idle keep-alive one is closed, while the slow ones are still on their way.
      await eventually(async () => expect(await connectionRefused(`${url}/healthz`)).toBe(true), 5_000);
      await eventually(() => expect(idleClosedAt).toBeLessThan(Infinity), 2_000);
      expect(proxy.pending).toBe(3);

      const answers = await Promise.all(slow);
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({
          data: { event: { title: expect.stringMatching(/Belgorod/) }, source: { title: expect.any(String) } },
        });
        // Its client is told to let go of the connection, rather than reuse a socket about to close.
        expect(answer.headers.connection).toBe('close');
        expect(answer.at).toBeGreaterThan(idleClosedAt);
      }
      expect(await gateway.exited).toBe(0);
    } finally {
      proxy.delayMs = 0;
      idleAgent.destroy();
      busyAgent.destroy();
    }
  }, 60_000);

  it('a gateway started while a subgraph is down: ready, serves the rest, and answers in full once the subgraph is back', async () => {
    await stopAll([federation.processes.statements]);
    // Ready: its supergraph is static, so it can serve everything but the missing part. Were a
    // subgraph's outage to make every gateway unready, a load balancer would take all of them
    // out, turning a partial outage into a total one; each subgraph has its own /readyz.
    const { url } = await startGateway('gateway-started-degraded', {});
    expect((await request(`${url}/readyz`)).status).toBe(200);

    const degraded = await postGraphQL(`${url}/graphql`, EVENT_AND_SOURCE);
    expect(degraded.status).toBe(200);
    expect(degraded.body.data).toEqual({ event: { title: expect.stringMatching(/Belgorod/) }, source: null });
    expectOnlyUnavailable(degraded);

    // The same subgraph comes back on the same port; the gateway is not restarted.
    const statements = startService('statements', 'services/statements/src/index.ts', federation.env, (source, line) =>
      federation.output.push(`[${source}] ${line}`),
    );
    extraProcesses.push(statements);
    await waitUntilReady(`${federation.subgraphUrls.statements}/readyz`, statements);
    const recovered = await eventually(async () => {
      const response = await postGraphQL(`${url}/graphql`, EVENT_AND_SOURCE);
      expect(response.body.errors).toBeUndefined();
      return response;
    });
    expect(recovered.body.data).toEqual({
      event: { title: expect.stringMatching(/Belgorod/) },
      source: { title: expect.any(String) },
    });
  }, 60_000);

  // These need the fields that cross a subgraph boundary to be nullable: were `Event.claims`
  // non-null, one subgraph down would null the whole event.
  it('the statements subgraph down: the event with its title, `claims: null` and one masked error', async () => {
    await stopAll([
      federation.processes.statements,
      ...extraProcesses.filter((service) => service.name === 'statements'),
    ]);
    const response = await federation.query(`{ event(slug: "${RAID_SLUG}") { title claims { text } } }`);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ event: { title: expect.stringMatching(/Belgorod/), claims: null } });
    expect(response.body.errors).toHaveLength(1);
    expectOnlyUnavailable(response);
  });

  it('the actors subgraph down too: the events, with their participants’ actors null', async () => {
    await stopAll([federation.processes.actors]);
    const response = await federation.query(
      '{ events(first: 5) { nodes { title participants { role actor { name } } } } }',
    );
    expect(response.status).toBe(200);
    const events = response.body.data?.events?.nodes as
      Array<{ title: string; participants: Array<{ role: string; actor: unknown }> }> | undefined;
    expect(events?.length).toBeGreaterThan(0);
    expect(events!.map((event) => event.title)).toContainEqual(expect.stringMatching(/Belgorod/));
    const participants = events!.flatMap((event) => event.participants);
    expect(participants.length).toBeGreaterThan(0);
    for (const participant of participants) expect(participant).toEqual({ role: expect.any(String), actor: null });
    expectOnlyUnavailable(response);
  });
});

describe('PostgreSQL restarted under load', () => {
  const SECRET = 'a-secret-for-the-fault-tests-only-0123456789';
  const QUERY = JSON.stringify({ query: `{ event(slug: "${RAID_SLUG}") { title } }` });
  // Past the pool's connect timeout (5 s) and then some: an answer later than this is a hang.
  const HANG_MS = 8_000;
  let postgres: PrivatePostgres;
  let events: ServiceProcess;
  let eventsUrl: string;
  const output: string[] = [];

  interface Outcome {
    status: number;
    /** The answer, or what went wrong with the connection. */
    body: GraphQLResponse['body'] | string;
    ms: number;
  }

  /** A query signed as the gateway would sign it, straight to the events subgraph. */
  async function query(): Promise<Outcome> {
    const startedAt = Date.now();
    const headers = signRequest(SECRET, 'events', { kind: 'anonymous', scopes: ['READ'] }, QUERY);
    try {
      const response = await fetch(`${eventsUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: QUERY,
        signal: AbortSignal.timeout(HANG_MS),
      });
      return { status: response.status, body: await response.json(), ms: Date.now() - startedAt };
    } catch (error) {
      return { status: 0, body: String(error), ms: Date.now() - startedAt };
    }
  }
  const succeeded = (outcome: Outcome) =>
    outcome.status === 200 && typeof outcome.body !== 'string' && outcome.body.data?.event?.title !== undefined;
  const readiness = async () => (await fetch(`${eventsUrl}/readyz`, { signal: AbortSignal.timeout(HANG_MS) })).status;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    const databaseUrl = await postgres.createDatabase('newsfacts_events');
    await prepareDatabase('events', { kind: 'postgres', url: databaseUrl });
    await seedDirectly('events', { kind: 'postgres', url: databaseUrl });
    const port = await freePort();
    eventsUrl = `http://127.0.0.1:${port}`;
    events = startService(
      'events',
      'services/events/src/index.ts',
      {
        ...process.env,
        LOG_LEVEL: 'warn',
        EVENTS_PORT: String(port),
        EVENTS_DATABASE_URL: databaseUrl,
        SUBGRAPH_SIGNING_SECRET: SECRET,
      },
      (_name, line) => output.push(line),
    );
    await waitUntilReady(`${eventsUrl}/readyz`, events);
  }, 120_000);

  afterAll(async () => {
    if (events) await stopAll([events]);
    await postgres?.destroy();
  });

  it('requests during the outage fail cleanly and fast, /readyz follows the database, and traffic recovers on its own', async () => {
    // A steady stream: two clients, each sending its next query as soon as the last is answered.
    const outcomes: Outcome[] = [];
    let streaming = true;
    const client = async () => {
      while (streaming) outcomes.push(await query());
    };
    const clients = [client(), client()];
    try {
      await eventually(() => expect(outcomes.filter(succeeded).length).toBeGreaterThanOrEqual(10));

      await postgres.stop();
      const stoppedAt = outcomes.length;
      await eventually(async () => expect(await readiness()).toBe(503));
      await eventually(() =>
        expect(outcomes.slice(stoppedAt).filter((outcome) => !succeeded(outcome)).length).toBeGreaterThanOrEqual(10),
      );

      await postgres.start();
      await eventually(async () => expect(await readiness()).toBe(200), 15_000);
      const restartedAt = outcomes.length;
      await eventually(
        () => expect(outcomes.slice(restartedAt).filter(succeeded).length).toBeGreaterThanOrEqual(10),
        15_000,
      );
    } finally {
      streaming = false;
      await Promise.all(clients);
    }

    // Every answer, before, during and after: data, or a GraphQL error with a code, in bounded time.
    for (const outcome of outcomes) {
      expect(outcome.ms).toBeLessThan(HANG_MS);
      if (succeeded(outcome)) continue;
      expect(outcome.status).toBe(200);
      expect(outcome.body).toMatchObject({ data: { event: null } });
      expect((outcome.body as GraphQLResponse['body']).errors).toEqual([
        // An outage the client may retry, not an internal error.
        expect.objectContaining({
          message: 'The database is unavailable right now; try again shortly.',
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        }),
      ]);
      expect(JSON.stringify(outcome.body)).not.toMatch(
        /stacktrace|at \w+ \(|ECONNREFUSED|terminating connection|127\.0\.0\.1|prisma/i,
      );
    }
    // The service rode it out: never exited, never restarted.
    expect(events.child.exitCode).toBeNull();
    expect(events.child.signalCode).toBeNull();
  }, 60_000);
});

describe('the embedded database killed in the middle of writes', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsfacts-embedded-kill-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('reopens, taking over the dead writer’s lock, with every acknowledged write', async () => {
    const acknowledged: number[] = [];
    const writer = startService(
      'writer',
      'tests/helpers/embedded-writer.ts',
      process.env,
      (_name, line) => {
        const ack = /^ack (\d+)$/.exec(line);
        if (ack) acknowledged.push(Number(ack[1]));
      },
      [dataDir, 'write'],
    );
    try {
      // PGlite's first start (its initdb) takes a few seconds, more on a busy machine.
      await eventually(() => expect(acknowledged.length).toBeGreaterThanOrEqual(100), 60_000);
    } finally {
      writer.child.kill('SIGKILL');
    }
    expect(await writer.exited).toBeNull(); // killed, not exited
    // The dead writer's lock is still there: the next opener must see it is dead and take over.
    expect(fs.readFileSync(path.join(dataDir, '.newsfacts.lock'), 'utf8')).toBe(String(writer.child.pid));

    const lines: string[] = [];
    const reader = startService(
      'reader',
      'tests/helpers/embedded-writer.ts',
      process.env,
      (_name, line) => lines.push(line),
      [dataDir, 'read'],
    );
    expect(await reader.exited).toBe(0);
    const stored = new Set(
      JSON.parse(/^ids (.*)$/.exec(lines.find((line) => line.startsWith('ids ')) ?? '')?.[1] ?? '[]') as number[],
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    // Closed cleanly this time: no lock left behind.
    expect(fs.existsSync(path.join(dataDir, '.newsfacts.lock'))).toBe(false);
  }, 120_000);
});
