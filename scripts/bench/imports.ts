// How fast a fact package goes in: a synthetic report of many statements imported through the
// imports service into the running federation, after a dry run of it, and imported again.
import { importAs, type FinishedImport } from '../lib/seed';
import { syntheticPackage } from '../lib/synthetic-package';
import type { RunningFederation } from '../lib/federation';

export interface ImportFigures {
  statements: number;
  records: number;
  packageBytes: number;
  dryRunSeconds: number;
  importSeconds: number;
  recordsPerSecond: number;
  reimportSeconds: number;
}

const BENCH_WRITER = { kind: 'key' as const, keyId: 'bench', scopes: ['READ' as const, 'WRITE' as const] };

export async function measureImports(federation: RunningFederation, statements: number): Promise<ImportFigures> {
  const pkg = syntheticPackage({ id: `bench-${statements}`, statements });
  const url = `${federation.subgraphUrls.imports}/graphql`;
  const secret = federation.env.SUBGRAPH_SIGNING_SECRET!;
  const run = async (dryRun: boolean): Promise<FinishedImport> => {
    const job = await importAs(url, secret, BENCH_WRITER, pkg, { dryRun, name: 'the benchmark package' });
    if (job.status !== 'DONE' || job.counts.rejected || job.counts.ambiguous) {
      throw new Error(`the benchmark import did not complete: ${job.failure ?? job.problems.join('; ')}`);
    }
    return job;
  };
  const dry = await run(true);
  const real = await run(false);
  const again = await run(false);
  const records = Object.values(real.counts).reduce((sum, count) => sum + count, 0);
  return {
    statements,
    records,
    packageBytes: Buffer.byteLength(JSON.stringify(pkg)),
    dryRunSeconds: dry.seconds,
    importSeconds: real.seconds,
    recordsPerSecond: records / real.seconds,
    reimportSeconds: again.seconds,
  };
}

export function importSection(figures: ImportFigures): string[] {
  const s = (seconds: number) => seconds.toFixed(seconds < 10 ? 2 : 1);
  return [
    `## Imports`,
    ``,
    `A synthetic fact package of ${figures.statements.toLocaleString('en')} statements (${figures.records.toLocaleString('en')} records, ${(figures.packageBytes / 2 ** 20).toFixed(1)} MiB of JSON), sent to the imports service and followed to the job's end; every record written through the owning service's own mutation, checked as any write is.`,
    ``,
    `| run | seconds | records/s |`,
    `| --- | ---: | ---: |`,
    `| dry run (resolve and check everything, write nothing) | ${s(figures.dryRunSeconds)} | ${Math.round(figures.records / figures.dryRunSeconds)} |`,
    `| import | ${s(figures.importSeconds)} | ${Math.round(figures.recordsPerSecond)} |`,
    `| the same package again (all unchanged) | ${s(figures.reimportSeconds)} | ${Math.round(figures.records / figures.reimportSeconds)} |`,
    ``,
  ];
}
