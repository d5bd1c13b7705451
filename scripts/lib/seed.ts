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

/** Imports the seed packages into the federation's imports service; throws unless every record went in. */
export async function importSeed(importsUrl: string, signingSecret: string): Promise<ImportCounts> {
  const ask = async <Data>(query: string, variables: Record<string, unknown>): Promise<Data> => {
    const body = JSON.stringify({ query, variables });
    const response = await fetch(importsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signRequest(signingSecret, 'imports', SEED_PRINCIPAL, body) },
      body,
    });
    const answer = (await response.json()) as { data?: Data; errors?: Array<{ message: string }> };
    if (!answer.data)
      throw new Error(`the imports service refused the seed: ${answer.errors?.[0]?.message ?? response.status}`);
    return answer.data;
  };
  const total: ImportCounts = { created: 0, unchanged: 0, matched: 0, ambiguous: 0, rejected: 0 };
  for (const file of SEED_PACKAGE_PATHS) {
    const pkg: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    const submitted = await ask<{
      importPackage: { job: JobAnswer | null; errors: Array<{ field: string[]; message: string }> };
    }>(
      `mutation Seed($package: JSON!) { importPackage(input: { package: $package }) { job { ${JOB_FIELDS} } errors { field message } } }`,
      { package: pkg },
    );
    let job = submitted.importPackage.job;
    if (!job) {
      const [error] = submitted.importPackage.errors;
      throw new Error(
        `${path.basename(file)} is not a valid fact package: ${error?.field.join('.')}: ${error?.message}`,
      );
    }
    while (job.status === 'QUEUED' || job.status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = (
        await ask<{ importJob: JobAnswer }>(`query Seeding($id: ID!) { importJob(id: $id) { ${JOB_FIELDS} } }`, {
          id: job.id,
        })
      ).importJob;
    }
    if (job.status === 'FAILED' || job.counts.rejected || job.counts.ambiguous) {
      const problems = job.problems.nodes.map(
        (record) =>
          `${record.path.join('.')}: ${record.errors.map((error) => `${error.field.join('.')}: ${error.message}`).join('; ')}`,
      );
      throw new Error(`importing ${path.basename(file)} did not complete: ${job.failure ?? problems.join('\n')}`);
    }
    for (const key of Object.keys(total) as Array<keyof ImportCounts>) total[key] += job.counts[key];
  }
  return total;
}
