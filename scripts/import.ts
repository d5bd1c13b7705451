// Imports a fact package through the gateway, as any newsroom's program would: the same
// importPackage mutation, with a write key, then importJob until the job is done.
//
//   npm run import -- report.json [--dry-run] [--json] [--gateway http://127.0.0.1:4000] [--key <write key>]
//
// The key comes from --key or NEWSFACTS_API_KEY, the gateway from --gateway or
// NEWSFACTS_GATEWAY_URL (default http://127.0.0.1:4000, where npm start serves it).
// Exit status: 0 every record went in (or would, in a dry run); 1 some were rejected or
// ambiguous; 2 the package or the call was refused; 3 the job stopped (run it again).
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { PACKAGE_LIMITS, packageEnvelope } from '@newsfacts/fact-package/format';

interface FieldError {
  field: string[];
  code: string;
  message: string;
}
interface ImportRecord {
  kind: string;
  key: string;
  path: string[];
  outcome: string;
  recordId: string | null;
  matchedBy: string | null;
  matchedName: string | null;
  candidates: Array<{ id: string; slug: string | null; name: string; matchedName: string }>;
  errors: FieldError[];
}
interface ImportJob {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
  dryRun: boolean;
  failure: string | null;
  counts: Record<'created' | 'unchanged' | 'matched' | 'ambiguous' | 'rejected', number>;
}

const JOB = 'id status dryRun failure counts { created unchanged matched ambiguous rejected }';
const RECORDS = `query ImportRecords($id: ID!, $after: String) {
  importJob(id: $id) {
    records(first: 100, after: $after) {
      nodes { kind key path outcome recordId matchedBy matchedName candidates { id slug name matchedName } errors { field code message } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

class Refused extends Error {}

function usage(message: string): never {
  console.error(`${message}\nusage: npm run import -- <package.json> [--dry-run] [--json] [--gateway URL] [--key KEY]`);
  process.exit(2);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      gateway: { type: 'string' },
      key: { type: 'string' },
    },
  });
  if (positionals.length !== 1) usage('Give one package file.');
  const gateway = (values.gateway ?? process.env.NEWSFACTS_GATEWAY_URL ?? 'http://127.0.0.1:4000').replace(/\/$/, '');
  const key = values.key ?? process.env.NEWSFACTS_API_KEY;
  if (!key) usage('A write key is needed: --key, or NEWSFACTS_API_KEY (npm run keys -- create --help).');

  const file = positionals[0]!;
  if (!fs.existsSync(file)) usage(`No such file: ${file}`);
  if (fs.statSync(file).size > PACKAGE_LIMITS.maxBytes) usage(`${file} is over ${PACKAGE_LIMITS.maxBytes} bytes.`);
  let pkg: unknown;
  try {
    pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    usage(`${file} is not JSON: ${(error as Error).message}`);
  }
  // The shape of the whole, here, so that a wrong file is said at once; the records are the service's.
  const envelope = packageEnvelope.safeParse(pkg);
  if (!envelope.success) {
    for (const issue of envelope.error.issues)
      console.error(`${['package', ...issue.path].join('.')}: ${issue.message}`);
    return 2;
  }

  const ask = async <Data>(query: string, variables: Record<string, unknown>): Promise<Data> => {
    let response: Response;
    try {
      response = await fetch(`${gateway}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new Refused(
        `The gateway at ${gateway} cannot be reached (${(error as Error).message}); is npm start running?`,
      );
    }
    const answer = (await response.json().catch(() => null)) as {
      data?: Data | null;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    } | null;
    if (!answer?.data) {
      const error = answer?.errors?.[0];
      throw new Refused(`${error?.extensions?.code ?? `HTTP ${response.status}`}: ${error?.message ?? 'no answer'}`);
    }
    return answer.data;
  };

  const submitted = await ask<{ importPackage: { job: ImportJob | null; errors: FieldError[] } }>(
    `mutation ImportPackage($package: JSON!, $dryRun: Boolean) {
      importPackage(input: { package: $package, dryRun: $dryRun }) { job { ${JOB} } errors { field code message } }
    }`,
    { package: pkg, dryRun: values['dry-run'] },
  );
  let job = submitted.importPackage.job;
  if (!job) {
    for (const error of submitted.importPackage.errors)
      console.error(`${error.field.join('.')}: ${error.code}: ${error.message}`);
    return 2;
  }
  if (!values.json) console.error(`import job ${job.id}${job.dryRun ? ' (dry run)' : ''}: ${job.status.toLowerCase()}`);
  while (job.status === 'QUEUED' || job.status === 'RUNNING') {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    job = (
      await ask<{ importJob: ImportJob }>(`query ImportJob($id: ID!) { importJob(id: $id) { ${JOB} } }`, { id: job.id })
    ).importJob;
  }

  const records: ImportRecord[] = [];
  for (let after: string | null = null; ;) {
    const page: {
      importJob: { records: { nodes: ImportRecord[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    } = await ask(RECORDS, { id: job.id, after });
    records.push(...page.importJob.records.nodes);
    if (!page.importJob.records.pageInfo.hasNextPage) break;
    after = page.importJob.records.pageInfo.endCursor;
  }

  if (values.json) console.log(JSON.stringify({ ...job, records }, null, 2));
  else printReport(job, records);
  if (job.status === 'FAILED') return 3;
  return job.counts.rejected || job.counts.ambiguous ? 1 : 0;
}

function printReport(job: ImportJob, records: ImportRecord[]) {
  const verb = job.dryRun ? 'would be created' : 'created';
  for (const record of records) {
    const where = `${record.path.join('.')} (${record.key})`;
    if (record.outcome === 'MATCHED') {
      const how = record.matchedName
        ? `${record.matchedBy?.toLowerCase()} "${record.matchedName}"`
        : record.matchedBy?.toLowerCase();
      console.log(`  matched    ${where} → ${record.recordId} by ${how}`);
    } else if (record.outcome === 'AMBIGUOUS' || record.outcome === 'REJECTED') {
      console.log(`  ${record.outcome.toLowerCase().padEnd(10)} ${where}`);
      for (const error of record.errors)
        console.log(`               ${error.field.join('.')}: ${error.code}: ${error.message}`);
      for (const candidate of record.candidates) {
        console.log(
          `               could be ${candidate.name} (${candidate.slug ?? candidate.id}), as "${candidate.matchedName}"`,
        );
      }
    }
  }
  const { created, unchanged, matched, ambiguous, rejected } = job.counts;
  console.log(
    `${job.status === 'FAILED' ? 'stopped' : 'done'}: ${created} ${verb}, ${unchanged} unchanged, ${matched} matched, ` +
      `${ambiguous} ambiguous, ${rejected} rejected`,
  );
  if (job.failure) console.log(job.failure);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Refused ? error.message : error);
    process.exit(2);
  },
);
