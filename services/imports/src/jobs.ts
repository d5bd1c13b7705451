// Import jobs: a package submitted is a job row; a worker in any imports process takes it,
// imports it and keeps its report. A worker that dies (the process killed) stops refreshing its
// job's heartbeat, and another worker, or this one after a restart, takes the job over and runs
// it again from the start, which the importer makes safe.
import { createHash, randomUUID } from 'node:crypto';
import { PACKAGE_LIMITS, packageEnvelope } from '@newsfacts/fact-package/format';
import type { Logger } from '@newsfacts/platform/logger';
import { FACT_SUBGRAPHS, type FactSubgraphName, type SubgraphName } from '@newsfacts/platform/service-config';
import { forwardedPrincipalSchema, type ForwardedPrincipal } from '@newsfacts/platform/signing';
import { fieldError, FieldErrorCode, writerOf, type FieldError } from '@newsfacts/platform/writes';
import type { Worker } from '@newsfacts/platform/subgraph';
import type { ImportsPrisma } from './db';
import type { ImportJob, Prisma } from './generated/prisma/client.ts';
import { createGraphClient, ServiceUnreachable } from './importer/graph-client';
import { importPackage } from './importer/import-package';
import { countOutcomes, type RecordReport } from './importer/report';
import { wakeSignal } from './wake';

/**
 * How long importPackage waits for its job before answering with it still RUNNING: well inside
 * the gateway's wait for a subgraph (SUBGRAPH_TIMEOUT_MS, 5 s unless set).
 */
const ANSWER_WITHIN_MS = 3_000;
const POLL_MS = 500;

export interface Submission {
  job: ImportJob | null;
  errors: FieldError[];
}

/** Checks a package as a whole and queues it; waits a while for a worker to finish it. */
export async function submitImport(
  prisma: ImportsPrisma,
  principal: ForwardedPrincipal | null,
  input: { package: unknown; dryRun?: boolean | null },
): Promise<Submission> {
  const writer = writerOf(principal);
  const at = (...path: Array<string | number>) => ['input', 'package', ...path.map(String)];
  const text = JSON.stringify(input.package) ?? '';
  if (Buffer.byteLength(text) > PACKAGE_LIMITS.maxBytes) {
    return refused(
      fieldError(
        at(),
        FieldErrorCode.TOO_LONG,
        `A package is at most ${PACKAGE_LIMITS.maxBytes} bytes of JSON: split the report's facts into several packages.`,
      ),
    );
  }
  const envelope = packageEnvelope.safeParse(input.package);
  if (!envelope.success) {
    return {
      job: null,
      errors: envelope.error.issues.map((issue) =>
        fieldError(at(...issue.path.map(String)), FieldErrorCode.INVALID, issue.message),
      ),
    };
  }
  const job = await prisma.importJob.create({
    data: {
      id: randomUUID(),
      createdBy: writer,
      principal: principal as unknown as Prisma.InputJsonValue,
      packageId: envelope.data.id,
      packageSha256: createHash('sha256').update(text).digest('hex'),
      dryRun: input.dryRun ?? false,
      package: input.package as Prisma.InputJsonValue,
    },
  });
  jobQueued.notify();
  return { job: await awaitJob(prisma, job.id, ANSWER_WITHIN_MS), errors: [] };
}

const refused = (error: FieldError): Submission => ({ job: null, errors: [error] });

async function awaitJob(prisma: ImportsPrisma, id: string, withinMs: number): Promise<ImportJob> {
  const until = Date.now() + withinMs;
  for (;;) {
    const job = await prisma.importJob.findUniqueOrThrow({ where: { id } });
    if (job.status === 'DONE' || job.status === 'FAILED' || Date.now() >= until) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Wakes this process's worker when a job is queued here, rather than at its next poll. */
const jobQueued = wakeSignal();

export interface WorkerOptions {
  prisma: ImportsPrisma;
  logger: Logger;
  signingSecret: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** A RUNNING job whose heartbeat is older than this is taken over. */
  leaseMs: number;
}

/** Takes queued (and abandoned) jobs and runs them, `concurrency` at a time. */
export function startImportWorker(options: WorkerOptions): Worker {
  const { prisma, logger } = options;
  let stopping = false;
  const running = new Set<Promise<void>>();
  const mine = new Set<string>();
  const urls = Object.fromEntries(FACT_SUBGRAPHS.map((name) => [name, options.subgraphUrls[name]])) as Record<
    FactSubgraphName,
    string
  >;

  const claim = async (): Promise<ImportJob | null> => {
    const stale = new Date(Date.now() - options.leaseMs);
    // Never one of its own: a job this process runs is alive even if a heartbeat was slow.
    const own = [...mine];
    const [job] = await prisma.$queryRaw<ImportJob[]>`
      UPDATE "ImportJob" SET status = 'RUNNING', "heartbeatAt" = now(), "startedAt" = COALESCE("startedAt", now()),
             attempts = attempts + 1, "updatedAt" = now()
      WHERE id = (SELECT id FROM "ImportJob"
                  WHERE (status = 'QUEUED' OR (status = 'RUNNING' AND "heartbeatAt" < ${stale}))
                    AND NOT (id::text = ANY(${own}::text[]))
                  ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING *`;
    return job ?? null;
  };

  const run = async (job: ImportJob) => {
    const log = logger.child({ importJob: job.id, packageId: job.packageId, attempt: job.attempts });
    log.info({ dryRun: job.dryRun }, 'import started');
    // Several beats to a lease, so that a slow one or two do not give the job away.
    const heartbeat = setInterval(() => {
      void prisma.importJob.update({ where: { id: job.id }, data: { heartbeatAt: new Date() } }).catch(() => {});
    }, options.leaseMs / 4);
    let records: RecordReport[] = [];
    let failure: string | null = null;
    try {
      const principal = forwardedPrincipalSchema.parse(job.principal);
      records = await importPackage(packageEnvelope.parse(job.package), {
        graph: createGraphClient({ urls, signingSecret: options.signingSecret, principal }),
        writer: job.createdBy,
        dryRun: job.dryRun,
        onProgress: async (so) => {
          records = so;
          await prisma.importJob.update({
            where: { id: job.id },
            data: { heartbeatAt: new Date(), ...countOutcomes(so) },
          });
        },
      });
    } catch (error) {
      failure =
        error instanceof ServiceUnreachable
          ? `${error.message} What was imported stays; import the package again to complete it.`
          : 'The import stopped on an unexpected error; import the package again to complete it.';
      if (!(error instanceof ServiceUnreachable)) log.error({ err: error }, 'import failed');
    } finally {
      clearInterval(heartbeat);
    }
    await saveReport(prisma, job.id, records, failure);
    log.info({ failure, ...countOutcomes(records) }, failure ? 'import failed' : 'import done');
  };

  const loop = async () => {
    while (!stopping) {
      try {
        if (running.size < options.concurrency) {
          const job = await claim();
          if (job) {
            mine.add(job.id);
            const task = run(job).catch((error: unknown) => logger.error({ err: error }, 'import job crashed'));
            running.add(task);
            void task.finally(() => {
              running.delete(task);
              mine.delete(job.id);
              jobQueued.notify();
            });
            continue;
          }
        }
      } catch (error) {
        logger.warn({ err: error }, 'could not take an import job');
      }
      await jobQueued.wait(POLL_MS);
    }
  };
  const looping = loop();

  return {
    async stop() {
      stopping = true;
      jobQueued.notify();
      await looping;
      // Jobs still running go back to the queue, for the next process to take at once.
      await prisma.importJob
        .updateMany({ where: { id: { in: [...mine] }, status: 'RUNNING' }, data: { status: 'QUEUED' } })
        .catch(() => {});
    },
  };
}

/** The job's final report, replacing an earlier attempt's. */
async function saveReport(prisma: ImportsPrisma, jobId: string, records: RecordReport[], failure: string | null) {
  const decided = records.filter((record) => record.outcome);
  await prisma.$transaction(
    async (tx) => {
      await tx.importRecord.deleteMany({ where: { jobId } });
      for (let start = 0; start < decided.length; start += 1_000) {
        await tx.importRecord.createMany({
          data: decided.slice(start, start + 1_000).map((record) => ({
            jobId,
            position: record.position,
            kind: record.kind,
            key: record.key,
            index: record.index,
            outcome: record.outcome!,
            recordId: record.recordId,
            slug: record.slug,
            matchedBy: record.matchedBy,
            matchedName: record.matchedName,
            candidates: record.candidates.length ? (record.candidates as unknown as Prisma.InputJsonValue) : undefined,
            errors: record.errors.length ? (record.errors as unknown as Prisma.InputJsonValue) : undefined,
          })),
        });
      }
      await tx.importJob.update({
        where: { id: jobId },
        data: {
          status: failure ? 'FAILED' : 'DONE',
          finishedAt: new Date(),
          heartbeatAt: null,
          failure,
          ...countOutcomes(records),
        },
      });
    },
    { timeout: 120_000 },
  );
}
