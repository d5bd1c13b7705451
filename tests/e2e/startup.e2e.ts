/** Start-up failures a person can act on: one line naming the problem, and a non-zero exit. */
import { describe, expect, it } from 'vitest';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { prepareDatabase } from '../../scripts/lib/databases';
import { freePort } from '../helpers/federation';
import { createScratchDatabase } from '../../scripts/lib/scratch-database';

const SECRET = 'a-secret-for-start-up-tests-only-0123456789';

async function runUntilExit(entry: string, env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const service = startService(
    'probe',
    entry,
    { ...process.env, SUBGRAPH_SIGNING_SECRET: SECRET, ...env },
    (_name, line) => lines.push(line),
  );
  const timer = setTimeout(() => service.child.kill('SIGKILL'), 20_000);
  const code = await service.exited;
  clearTimeout(timer);
  return { code, lines };
}

describe('start-up failures', () => {
  it('an unreachable database: one line, exit 1', async () => {
    const closedPort = 1; // tcpmux: reserved, and nothing here listens on it
    const { code, lines } = await runUntilExit('services/events/src/index.ts', {
      EVENTS_DATABASE_URL: `postgresql://postgres@127.0.0.1:${closedPort}/newsfacts_events`,
      EVENTS_PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^events: cannot reach PostgreSQL at 127\\.0\\.0\\.1:${closedPort}/newsfacts_events: .*ECONNREFUSED`,
        ),
      ),
    ]);
  });

  it('a malformed setting: one line naming the variable, exit 1', async () => {
    const { code, lines } = await runUntilExit('services/actors/src/index.ts', { ACTORS_PORT: 'eighty' });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^actors: invalid configuration: ACTORS_PORT: /)]);
  });

  it('a database URL that is not PostgreSQL: one line, exit 1', async () => {
    const { code, lines } = await runUntilExit('services/statements/src/index.ts', {
      STATEMENTS_DATABASE_URL: 'mysql://root@127.0.0.1/x',
    });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/STATEMENTS_DATABASE_URL: must be a postgresql:\/\/ URL/)]);
  });

  it('a subgraph without the signing secret: one line saying so, exit 1', async () => {
    const { code, lines } = await runUntilExit('services/events/src/index.ts', { SUBGRAPH_SIGNING_SECRET: '' });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^events: invalid configuration: SUBGRAPH_SIGNING_SECRET: must be at least 32 characters/),
    ]);
  });

  it('the gateway with a malformed subgraph URL: one line, exit 1', async () => {
    const { code, lines } = await runUntilExit('gateway/src/index.ts', { EVENTS_URL: 'not a url' });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^gateway: invalid configuration: EVENTS_URL: /)]);
  });
});

describe('stopping', () => {
  it('SIGTERM: the subgraph stops serving, closes its database and exits 0', async () => {
    const database = await createScratchDatabase('nf_e2e_sigterm');
    let events: ServiceProcess | undefined;
    try {
      await prepareDatabase('events', { kind: 'postgres', url: database.url });
      const port = await freePort();
      const lines: string[] = [];
      events = startService(
        'events',
        'services/events/src/index.ts',
        {
          ...process.env,
          EVENTS_PORT: String(port),
          EVENTS_DATABASE_URL: database.url,
          SUBGRAPH_SIGNING_SECRET: SECRET,
        },
        (_n, line) => lines.push(line),
      );
      await waitUntilReady(`http://127.0.0.1:${port}/readyz`, events);
      events.child.kill('SIGTERM');
      expect(await events.exited).toBe(0);
      expect(lines.some((line) => line.includes('shutting down'))).toBe(true);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      if (events) await stopAll([events]);
      await database.drop();
    }
  });
});
