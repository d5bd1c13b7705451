// Replicas that fail over: two gateway replicas and two statements replicas, each pair behind a
// round-robin TCP proxy standing in for a Kubernetes Service, quotas and idempotency keys in one
// Redis. Under load, one replica of each is killed: no query fails beyond those in flight on
// the killed processes, and the survivors answer in full.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { RAID_QUERY } from '../../gateway/web/src/examples/raid-query';
import { freePort, postGraphQL, startFederation, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';
import { startRoundRobinProxy, type TcpProxy } from '../helpers/tcp-proxy';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let federation: Federation;
let statementsProxy: TcpProxy;
let gatewayProxy: TcpProxy;
const extra: ServiceProcess[] = [];
const gateways: ServiceProcess[] = [];
const gatewayPorts: number[] = [];

async function start(name: string, entry: string, env: NodeJS.ProcessEnv, portVariable: string) {
  const port = await freePort();
  const service = startService(name, entry, { ...federation.env, ...env, [portVariable]: String(port) }, (who, line) =>
    federation.output.push(`[${who}] ${line}`),
  );
  extra.push(service);
  await waitUntilReady(`http://127.0.0.1:${port}/readyz`, service);
  return { service, port };
}

beforeAll(async () => {
  federation = await startFederation({
    env: {
      REDIS_URL,
      REDIS_KEY_PREFIX: `nf_failover_${process.pid}_${Date.now()}`,
      ANONYMOUS_OPERATIONS_PER_MINUTE: '100000',
      ANONYMOUS_COST_PER_MINUTE: '1000000000',
    },
  });
  const secondStatements = await start('statements-2', 'services/statements/src/index.ts', {}, 'STATEMENTS_PORT');
  const firstStatementsPort = Number(new URL(federation.subgraphUrls.statements).port);
  statementsProxy = await startRoundRobinProxy([firstStatementsPort, secondStatements.port]);
  for (const name of ['gateway-1', 'gateway-2']) {
    const { service, port } = await start(
      name,
      'gateway/src/index.ts',
      { STATEMENTS_URL: `${statementsProxy.url}/graphql` },
      'GATEWAY_PORT',
    );
    gateways.push(service);
    gatewayPorts.push(port);
  }
  gatewayProxy = await startRoundRobinProxy(gatewayPorts);
}, 240_000);

afterAll(async () => {
  await stopAll(extra);
  await gatewayProxy?.close();
  await statementsProxy?.close();
  await federation?.stop();
});

/** A whole answer; a partial one (a subgraph's part missing); or none (the connection to a gateway died). */
type Outcome = 'whole' | 'partial' | 'none';
const raid = (): Promise<Outcome> =>
  postGraphQL(`${gatewayProxy.url}/graphql`, RAID_QUERY, { slug: 'belgorod-incursion-2023' }).then(
    (answer) =>
      answer.status === 200 && !answer.body.errors && answer.body.data?.event?.contestedClaims?.length > 0
        ? 'whole'
        : 'partial',
    () => 'none',
  );

describe('two replicas of the gateway and of a subgraph, behind stand-in Services', () => {
  it('share one quota and one store of idempotency keys through Redis', async () => {
    const { key } = await createKey(federation.env, 'Counted Desk', 'read,write', '--ops-per-minute', '10');
    const statuses: number[] = [];
    for (let request = 0; request < 14; request++) {
      const { status } = await postGraphQL(
        `${gatewayProxy.url}/graphql`,
        `{ events(first: 1) { totalCount } }`,
        {},
        {
          authorization: `Bearer ${key}`,
        },
      );
      statuses.push(status);
    }
    // Round-robin sent them to both replicas; together they allowed ten.
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429, 429, 429]);

    const writer = (await createKey(federation.env, 'Retrying Desk', 'read,write')).key;
    const idempotencyKey = `failover-${Date.now()}`;
    const send = () =>
      fetch(`${gatewayProxy.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${writer}`,
          'idempotency-key': idempotencyKey,
        },
        body: JSON.stringify({
          query: `mutation { createPlace(input: { name: "Tishanka", countryCode: "RU", geoPrecision: SETTLEMENT }) { place { id } } }`,
        }),
      });
    const first = await send();
    const again = await send();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
  });

  it('loses no query, beyond those in flight, when one gateway and one statements replica are killed under load', async () => {
    const results: Array<{ at: number; outcome: Outcome }> = [];
    let killedAt = Infinity;
    const until = Date.now() + 8_000;
    const worker = async () => {
      while (Date.now() < until) {
        const outcome = await raid();
        // When it ended: a query in flight at the kill ends after it.
        results.push({ at: Date.now(), outcome });
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    killedAt = Date.now();
    gateways[0]!.child.kill('SIGKILL');
    federation.processes.statements.child.kill('SIGKILL');
    await load;

    const before = results.filter((result) => result.at < killedAt);
    const after = results.filter((result) => result.at >= killedAt);
    expect(before.length).toBeGreaterThan(10);
    expect(before.every((result) => result.outcome === 'whole')).toBe(true);
    // The statements replica's death costs nothing: the gateway asks again, on a new connection,
    // any query fetch it cut before answering, and the stand-in Service sends that to the survivor.
    expect(after.filter((result) => result.outcome === 'partial')).toEqual([]);
    // The killed gateway's connections fail what was on them: each worker's request in flight,
    // and at most one more each on a kept-alive connection the client had not yet seen close.
    expect(after.filter((result) => result.outcome === 'none').length).toBeLessThanOrEqual(16);
    const settled = after.filter((result) => result.at > killedAt + 1_000);
    expect(settled.length).toBeGreaterThan(10);
    expect(settled.every((result) => result.outcome === 'whole')).toBe(true);
  }, 60_000);
});
