// The seed is the first fact package, imported as every package is: through the imports
// service, which asks the services that own the facts to write them. npm start, the benchmarks
// and the end-to-end tests seed this way, as the `seed` writer.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@newsfacts/platform/config';
import { SEED_WRITER } from '@newsfacts/platform/seed-ids';
import { signRequest, type ForwardedPrincipal } from '@newsfacts/platform/signing';

/** The packages a new federation is seeded with. */
export const SEED_PACKAGE_PATHS = [path.join(repoRoot, 'prisma/seed/belgorod-incursion-2023-05-23.facts.json')];

const SEED_PRINCIPAL: ForwardedPrincipal = { kind: 'key', keyId: SEED_WRITER, scopes: ['READ', 'WRITE', 'ADMIN'] };

export interface ImportCounts {
  created: number;
  unchanged: number;
  matched: number;
  ambiguous: number;
  rejected: number;
}

interface JobAnswer {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
  failure: string | null;
  counts: ImportCounts;
  problems: { nodes: Array<{ path: string[]; outcome: string; errors: Array<{ field: string[]; message: string }> }> };
}

const JOB_FIELDS = `id status failure counts { created unchanged matched ambiguous rejected }
  problems: records(outcome: REJECTED, first: 20) { nodes { path outcome errors { field message } } }`;

/** What an import job ended with, and how long it took from submission to its end. */
export interface FinishedImport {
  status: 'DONE' | 'FAILED';
  failure: string | null;
  counts: ImportCounts;
  problems: string[];
  seconds: number;
}

/**
 * Imports one package through the imports service, signed as `principal` (the seed writer, or
 * the benchmark's), and waits for the job's end. Throws when the package is refused as a whole.
 */
export async function importAs(
  importsUrl: string,
  signingSecret: string,
  principal: ForwardedPrincipal,
  pkg: unknown,
  options: { dryRun?: boolean; name?: string } = {},
): Promise<FinishedImport> {
  const ask = async <Data>(query: string, variables: Record<string, unknown>): Promise<Data> => {
    const body = JSON.stringify({ query, variables });
    const response = await fetch(importsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signRequest(signingSecret, 'imports', principal, body) },
      body,
    });
    const answer = (await response.json()) as { data?: Data; errors?: Array<{ message: string }> };
    if (!answer.data)
      throw new Error(`the imports service refused the import: ${answer.errors?.[0]?.message ?? response.status}`);
    return answer.data;
  };
  const started = performance.now();
  const submitted = await ask<{
    importPackage: { job: JobAnswer | null; errors: Array<{ field: string[]; message: string }> };
  }>(
    `mutation Import($package: JSON!, $dryRun: Boolean) {
      importPackage(input: { package: $package, dryRun: $dryRun }) { job { ${JOB_FIELDS} } errors { field message } }
    }`,
    { package: pkg, dryRun: options.dryRun ?? false },
  );
  let job = submitted.importPackage.job;
  if (!job) {
    const [error] = submitted.importPackage.errors;
    throw new Error(
      `${options.name ?? 'the package'} is not a valid fact package: ${error?.field.join('.')}: ${error?.message}`,
    );
  }
  while (job.status === 'QUEUED' || job.status === 'RUNNING') {
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = (
      await ask<{ importJob: JobAnswer }>(`query Following($id: ID!) { importJob(id: $id) { ${JOB_FIELDS} } }`, {
        id: job.id,
      })
    ).importJob;
  }
  return {
    status: job.status,
    failure: job.failure,
    counts: job.counts,
    problems: job.problems.nodes.map(
      (record) =>
        `${record.path.join('.')}: ${record.errors.map((error) => `${error.field.join('.')}: ${error.message}`).join('; ')}`,
    ),
    seconds: (performance.now() - started) / 1000,
  };
}

/** Imports the seed packages into the federation's imports service; throws unless every record went in. */
export async function importSeed(importsUrl: string, signingSecret: string): Promise<ImportCounts> {
  const total: ImportCounts = { created: 0, unchanged: 0, matched: 0, ambiguous: 0, rejected: 0 };
  for (const file of SEED_PACKAGE_PATHS) {
    const name = path.basename(file);
    const pkg: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    const job = await importAs(importsUrl, signingSecret, SEED_PRINCIPAL, pkg, { name });
    if (job.status === 'FAILED' || job.counts.rejected || job.counts.ambiguous) {
      throw new Error(`importing ${name} did not complete: ${job.failure ?? job.problems.join('\n')}`);
    }
    for (const key of Object.keys(total) as Array<keyof ImportCounts>) total[key] += job.counts[key];
  }
  return total;
}
