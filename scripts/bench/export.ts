/**
 * Does the bulk export stay flat in memory on a large graph? (`npm run bench:export`)
 *
 * Starts the federation on scratch PostgreSQL databases (TEST_DATABASE_URL's server, named
 * nf_export_*, dropped at the end), seeds it, generates the synthetic graph into the same
 * databases (a million statements by default), then reads GET /export.ndjson to its end with a
 * read key, sampling the gateway's resident memory from its /metrics twice a second. Writes
 * docs/export.md with the machine it ran on.
 *
 *   npm run bench:export -- [--events 100000] [--actors 200000] [--claims 250000] [--statements 1000000]
 *                           [--out docs/export.md]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@newsfacts/platform/config';
import { DATABASES, type DatabaseName } from '@newsfacts/platform/service-config';
import { isolatedEnv, launchFederation, type RunningFederation } from '../lib/federation';
import { sumOf } from '../lib/prometheus';
import { createScratchDatabases, type ScratchDatabases } from '../lib/scratch-database';
import { generateGraph, GRAPH_SIZE_OPTIONS, graphSizesFromArgs } from '../lib/synthetic-graph';

const { values: args } = parseArgs({
  options: {
    ...GRAPH_SIZE_OPTIONS,
    out: { type: 'string', default: 'docs/export.md' },
  },
});
const sizes = graphSizesFromArgs(args);

const log = (message: string) => console.log(`bench:export: ${message}`);
const MiB = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function launch(env: NodeJS.ProcessEnv, urls: Record<DatabaseName, string>, prepare: boolean) {
  return launchFederation({ env, ports: 'free', databases: { kind: 'postgres', urls }, prepare, output: [] });
}

async function gatewayRss(gatewayUrl: string): Promise<number> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  return sumOf(text, 'newsfacts_process_resident_memory_bytes');
}

async function main() {
  let databases: ScratchDatabases<DatabaseName> | undefined;
  let federation: RunningFederation | undefined;
  try {
    databases = await createScratchDatabases('nf_export', DATABASES);
    const { urls } = databases;
    const env: NodeJS.ProcessEnv = { ...isolatedEnv(), NODE_ENV: 'development', LOG_LEVEL: 'warn' };
    log('seeding');
    federation = await launch(env, urls, true);
    await federation.stop();
    log(
      `generating ${sizes.events} events, ${sizes.actors} actors, ${sizes.claims} claims, ${sizes.statements} statements`,
    );
    await generateGraph({ urls, sizes });
    federation = await launch(env, urls, false);
    const key = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/keys.ts', 'create', '--name', 'Export benchmark', '--scopes', 'read'],
      { cwd: repoRoot, env: { ...process.env, ...federation.env }, encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .at(-1)!;

    const idle = await gatewayRss(federation.gatewayUrl);
    const samples: number[] = [];
    const sampler = setInterval(() => {
      gatewayRss(federation!.gatewayUrl).then(
        (rss) => samples.push(rss),
        () => {},
      );
    }, 500);
    log('exporting');
    const started = performance.now();
    const response = await fetch(`${federation.gatewayUrl}/export.ndjson`, {
      headers: { authorization: `Bearer ${key}` },
    });
    if (!response.ok) throw new Error(`the export answered ${response.status}: ${await response.text()}`);
    const counts = new Map<string, number>();
    let bytes = 0;
    let buffered = '';
    let ended = false;
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) break;
      bytes += chunk.byteLength;
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        // Only the kind and type are needed; the record is not kept.
        const kind = /^\{"kind":"(\w+)"(?:,"type":"(\w+)")?/.exec(line);
        if (kind?.[1] === 'record') counts.set(kind[2]!, (counts.get(kind[2]!) ?? 0) + 1);
        if (kind?.[1] === 'end') ended = true;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (!ended) throw new Error('the export stopped without its end line');
    const records = [...counts.values()].reduce((sum, count) => sum + count, 0);
    const peak = Math.max(idle, ...samples);
    const fifth = Math.max(1, Math.floor(samples.length / 5));
    const average = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const report = [
      '# Bulk export on a large graph',
      '',
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:export\`.`,
      '',
      `- CPU: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}; memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; Node.js ${process.version}; PostgreSQL on loopback`,
      `- Graph: the seed plus ${sizes.events.toLocaleString('en')} events, ${sizes.actors.toLocaleString('en')} actors, ${sizes.claims.toLocaleString('en')} claims and ${sizes.statements.toLocaleString('en')} statements (scripts/lib/synthetic-graph.ts)`,
      '',
      '| records | by type | NDJSON | seconds | records/s |',
      '| ---: | --- | ---: | ---: | ---: |',
      `| ${records.toLocaleString('en')} | ${[...counts].map(([type, count]) => `${type} ${count.toLocaleString('en')}`).join(', ')} | ${MiB(bytes)} MiB | ${seconds.toFixed(1)} | ${Math.round(records / seconds).toLocaleString('en')} |`,
      '',
      `The gateway's resident memory: ${MiB(idle)} MiB idle before the export; during it (${samples.length} samples, every 0.5 s) ${MiB(average(samples.slice(0, fifth)))} MiB on average over the first fifth, ${MiB(average(samples.slice(-fifth)))} MiB over the last fifth, ${MiB(peak)} MiB at most. The export reads ${process.env.EXPORT_PAGE_SIZE ?? 500} records from a service at a time and writes them only as fast as the client reads, so what it holds does not grow with the graph.`,
      '',
    ];
    const out = path.resolve(repoRoot, args.out!);
    fs.writeFileSync(out, report.join('\n'));
    log(report.join('\n'));
    log(`wrote ${path.relative(repoRoot, out)}`);
  } finally {
    await federation?.stop();
    await databases?.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
