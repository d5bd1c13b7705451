import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type {
  ImportJobStateFragment,
  ImportOutcome,
  ImportRecordPageFragment,
  ImportPackageMutation as ImportPackageData,
  TypedDocumentString,
} from '../gql/graphql';
import { request, RequestError } from './client';
import { words } from './format';
import { ImportJobQuery, ImportPackageMutation, ImportRecordsQuery } from './queries';
import { Failure } from './states';
import { statementInSource } from './Statement';

type Job = ImportJobStateFragment;
type RecordPage = ImportRecordPageFragment;
type ImportRecord = RecordPage['nodes'][number];
type FieldError = ImportPackageData['importPackage']['errors'][number];

/** The fact-package format's JSON Schema, served by the gateway (made from packages/fact-package). */
const SCHEMA_URL = '/schemas/fact-package-v1.json';
/** How often a job that is QUEUED or RUNNING is asked about. */
const FOLLOW_EVERY_MS = 1_000;
/** How many times a request refused for the key's quota (429) is tried again, after its Retry-After. */
const RETRIES_WHEN_LIMITED = 5;

const OUTCOMES: ImportOutcome[] = ['CREATED', 'UNCHANGED', 'MATCHED', 'AMBIGUOUS', 'REJECTED'];
const COUNT_OF: Record<ImportOutcome, keyof Job['counts']> = {
  CREATED: 'created',
  UNCHANGED: 'unchanged',
  MATCHED: 'matched',
  AMBIGUOUS: 'ambiguous',
  REJECTED: 'rejected',
};
const outcomeLabel = (outcome: ImportOutcome, dryRun: boolean) =>
  outcome === 'CREATED' && dryRun ? 'to be created' : words(outcome);

const WRITE_KEY_STORAGE = 'newsfacts.writeKey';

/**
 * The write key this page imports with: kept for this browser tab only (sessionStorage), apart from
 * the key in the page header, which the reading pages keep sending. It goes with this page's
 * requests only.
 */
const writeKey = {
  get: () => sessionStorage.getItem(WRITE_KEY_STORAGE) ?? '',
  set: (key: string) =>
    key ? sessionStorage.setItem(WRITE_KEY_STORAGE, key) : sessionStorage.removeItem(WRITE_KEY_STORAGE),
};

type Parsed = { kind: 'empty' } | { kind: 'invalid'; message: string } | { kind: 'package'; value: unknown };

/** The text as a package to send, or why it cannot be one; nothing is sent for malformed JSON. */
function parsePackage(text: string): Parsed {
  if (!text.trim()) return { kind: 'empty' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', message: `This is not valid JSON: ${(error as Error).message.replace(/\.?$/, '.')}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      kind: 'invalid',
      message: 'This is JSON, but not a fact package: a package is an object, {"format": "newsfacts.fact-package", …}.',
    };
  return { kind: 'package', value };
}

type Run =
  | { phase: 'idle' }
  | { phase: 'sending'; dryRun: boolean }
  | { phase: 'refused'; dryRun: boolean; errors: FieldError[] }
  | { phase: 'failed'; dryRun: boolean; error: RequestError; job?: Job; records?: ImportRecord[] }
  /** Following a QUEUED or RUNNING job; then reading its report page by page; then done. */
  | { phase: 'following' | 'reading' | 'done'; dryRun: boolean; job: Job; records: ImportRecord[]; total?: number };

const ENDED = new Set(['DONE', 'FAILED']);

function pause(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new DOMException('The import page stopped following this job.', 'AbortError'));
      },
      { once: true },
    );
  });
}

/**
 * A request with the page's key, asked again when the key's per-minute quota refuses it (429):
 * a large package's report takes hundreds of pages, and a quota refuses a request before it runs.
 */
async function ask<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
  key: string,
  signal: AbortSignal,
): Promise<Result> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request(document, variables, { key, signal });
    } catch (error) {
      if (!(error instanceof RequestError && error.status === 429 && attempt < RETRIES_WHEN_LIMITED)) throw error;
      await pause(Math.min(error.retryAfter ?? 1, 60) * 1_000, signal);
    }
  }
}

/**
 * Sends the package, follows its job every second while it is QUEUED or RUNNING, then reads its
 * report 100 records at a time until all are in, telling `update` at each step.
 */
async function runImport(
  pkg: unknown,
  dryRun: boolean,
  key: string,
  signal: AbortSignal,
  update: (run: Run) => void,
): Promise<void> {
  update({ phase: 'sending', dryRun });
  const { importPackage } = await ask(ImportPackageMutation, { package: pkg, dryRun }, key, signal);
  if (!importPackage.job) return update({ phase: 'refused', dryRun, errors: importPackage.errors });
  const { records: firstPage, ...submitted } = importPackage.job;
  let job: Job = submitted;
  while (!ENDED.has(job.status)) {
    update({ phase: 'following', dryRun, job, records: [] });
    await pause(FOLLOW_EVERY_MS, signal);
    const { importJob } = await ask(ImportJobQuery, { id: job.id }, key, signal);
    if (!importJob) throw new RequestError(`The gateway no longer shows the job ${job.id} to this key.`);
    job = importJob;
  }
  const id = job.id;
  const readPage = async (after: string | null): Promise<RecordPage> => {
    const { importJob } = await ask(ImportRecordsQuery, { id, after }, key, signal);
    if (!importJob) throw new RequestError(`The gateway no longer shows the job ${id} to this key.`);
    return importJob.records;
  };
  // The mutation's first page is the report when the job had ended by then; else it is read now.
  let page = ENDED.has(submitted.status) ? firstPage : await readPage(null);
  let records = page.nodes;
  for (;;) {
    const more = page.pageInfo.hasNextPage;
    update({ phase: more ? 'reading' : 'done', dryRun, job, records, total: page.totalCount });
    if (!more) return;
    page = await readPage(page.pageInfo.endCursor);
    records = records.concat(page.nodes);
  }
}

/** The current run and a way to start one; a new run, or leaving the page, stops the one before. */
function useImportRun() {
  const [run, setRun] = useState<Run>({ phase: 'idle' });
  const current = useRef<AbortController | null>(null);
  useEffect(() => () => current.current?.abort(), []);
  const start = useCallback((pkg: unknown, dryRun: boolean, key: string, onDone: (run: Run) => void) => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    let last: Run = { phase: 'idle' };
    const update = (next: Run) => {
      if (controller.signal.aborted) return;
      last = next;
      setRun(next);
    };
    runImport(pkg, dryRun, key, controller.signal, update).then(
      () => onDone(last),
      (error: unknown) => {
        if ((error as Error).name === 'AbortError') return;
        const failure = error instanceof RequestError ? error : new RequestError(String(error));
        update({
          phase: 'failed',
          dryRun,
          error: failure,
          ...('job' in last ? { job: last.job, records: last.records } : {}),
        });
      },
    );
  }, []);
  return { run, start };
}

export function ImportPage() {
  const [key, setKey] = useState(writeKey.get);
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [problem, setProblem] = useState<{ field: 'key' | 'package'; message: string } | null>(null);
  /** The text whose dry run has been shown in full: Import is offered for that text only. */
  const [checkedText, setCheckedText] = useState<string | null>(null);
  const { run, start } = useImportRun();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const keyInput = useRef<HTMLInputElement>(null);

  // Once a malformed package has been reported, the report follows the text as it is corrected.
  const deferredText = useDeferredValue(text);
  const shownProblem = useMemo(() => {
    if (problem?.field !== 'package') return problem;
    const parsed = parsePackage(deferredText);
    if (parsed.kind === 'package') return null;
    return parsed.kind === 'invalid' ? { field: 'package' as const, message: parsed.message } : problem;
  }, [problem, deferredText]);

  const busy = run.phase === 'sending' || run.phase === 'following' || run.phase === 'reading';
  const checked = checkedText !== null && checkedText === text;

  const send = (dryRun: boolean) => {
    if (!key.trim()) {
      setProblem({ field: 'key', message: 'Enter a write key: importing needs one, even for a dry run.' });
      keyInput.current?.focus();
      return;
    }
    const parsed = parsePackage(text);
    if (parsed.kind !== 'package') {
      setProblem({
        field: 'package',
        message: parsed.kind === 'empty' ? 'Paste a fact package, or choose its file.' : parsed.message,
      });
      textarea.current?.focus();
      return;
    }
    setProblem(null);
    const sent = text;
    start(parsed.value, dryRun, key.trim(), (finished) => {
      if (dryRun && finished.phase === 'done' && finished.job.status === 'DONE') setCheckedText(sent);
    });
  };

  const readFile = (file: File | undefined) => {
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      setText(String(reader.result ?? ''));
      setFileName(file.name);
      setProblem(null);
    };
    reader.onerror = () =>
      setProblem({ field: 'package', message: `The file ${file.name} could not be read: ${reader.error?.message}` });
    reader.readAsText(file);
  };

  return (
    <article className="import">
      <header className="page-header">
        <p className="kicker">contribute facts</p>
        <h1>Import a fact package</h1>
        <p className="summary">
          A fact package is one report’s facts as a JSON document: the source with its text, and the places, actors,
          events, claims and statements it states. Its format is described by a{' '}
          <a href={SCHEMA_URL}>JSON Schema (fact-package v1)</a> and, with examples, in the project’s README under
          “Contribute facts → Fact packages”. Check a package first: a dry run resolves and checks everything and writes
          nothing. Importing a package again creates only what is missing.
        </p>
      </header>

      <form className="import-form" onSubmit={(event) => event.preventDefault()} noValidate>
        <div className="field">
          <label htmlFor="import-key">Write key</label>
          <input
            id="import-key"
            ref={keyInput}
            type="password"
            value={key}
            placeholder="nfk_…"
            autoComplete="off"
            spellCheck={false}
            aria-describedby="import-key-help"
            aria-invalid={shownProblem?.field === 'key' || undefined}
            aria-errormessage={shownProblem?.field === 'key' ? 'import-key-problem' : undefined}
            onChange={(event) => {
              setKey(event.target.value);
              writeKey.set(event.target.value.trim());
              if (problem?.field === 'key') setProblem(null);
            }}
          />
          <p id="import-key-help" className="muted">
            An API key with the <code>write</code> scope, and <code>read</code> to follow the job. It is kept in this
            tab’s sessionStorage only, forgotten when the tab closes, and sent only with this page’s requests (the key
            in the page header is for reading).
          </p>
          {shownProblem?.field === 'key' && (
            <p id="import-key-problem" className="field-problem" role="alert">
              {shownProblem.message}
            </p>
          )}
        </div>

        <div className="field">
          <label htmlFor="import-package">Package (JSON)</label>
          <textarea
            id="import-package"
            ref={textarea}
            value={text}
            rows={14}
            spellCheck={false}
            autoComplete="off"
            placeholder='{"format": "newsfacts.fact-package", "version": 1, "id": …}'
            aria-describedby="import-package-help"
            aria-invalid={shownProblem?.field === 'package' || undefined}
            aria-errormessage={shownProblem?.field === 'package' ? 'import-package-problem' : undefined}
            onChange={(event) => {
              setText(event.target.value);
              setFileName(null);
            }}
          />
          <p id="import-package-help" className="muted">
            Paste a package, or{' '}
            <label htmlFor="import-file" className="file-label">
              choose a .json file
            </label>
            :{' '}
            <input
              id="import-file"
              type="file"
              accept=".json,application/json"
              onChange={(event) => readFile(event.target.files?.[0])}
            />
            {fileName && <> Read from {fileName}.</>}
          </p>
          {shownProblem?.field === 'package' && (
            <p id="import-package-problem" className="field-problem" role="alert">
              {shownProblem.message} Nothing was sent.
            </p>
          )}
        </div>

        <div className="actions">
          <button type="button" onClick={() => send(true)} disabled={busy}>
            Check (dry run)
          </button>
          <button type="button" onClick={() => send(false)} disabled={busy || !checked} aria-describedby="import-why">
            Import
          </button>
          <p id="import-why" className="muted">
            {!checked
              ? 'Import is offered once a dry run of this exact text has been shown, so that you see what it would write first.'
              : 'dryRun' in run && !run.dryRun
                ? 'This text has been sent to be imported (see the report); importing it again creates only what is missing.'
                : 'The dry run of this text is shown below; Import writes what it reports, and the report then says what was written.'}
          </p>
        </div>
      </form>

      <Report run={run} />
    </article>
  );
}

/** "4 to be created, 2 matched; none ambiguous or rejected": the counts, in words, for the status line. */
function summary({ counts, dryRun }: Job): string {
  const said = OUTCOMES.filter((outcome) => counts[COUNT_OF[outcome]] > 0).map(
    (outcome) => `${counts[COUNT_OF[outcome]]} ${outcomeLabel(outcome, dryRun)}`,
  );
  const problems = counts.ambiguous + counts.rejected;
  return `${said.join(', ') || 'no records'}${problems ? '' : '; none ambiguous or rejected'}`;
}

/** What the status line says, announced to screen readers as it changes. */
function statusText(run: Run): ReactNode {
  const what = 'dryRun' in run && run.dryRun ? 'Dry run' : 'Import';
  switch (run.phase) {
    case 'idle':
      return null;
    case 'sending':
      return run.dryRun ? 'Sending the package for a dry run…' : 'Sending the package to be imported…';
    case 'refused':
      return `${what} refused: the package was not taken as a whole, so nothing was checked or written.`;
    case 'failed':
      return `${what} stopped: ${run.error.message}`;
    case 'following':
      return `${what} ${run.job.status.toLowerCase()} (job ${run.job.id})…`;
    case 'reading':
      return `${what} ${run.job.status}: reading the report, ${run.records.length} of ${run.total} records…`;
    case 'done':
      return `${what} ${run.job.status}: ${summary(run.job)}.`;
  }
}

function Report({ run }: { run: Run }) {
  const busy = run.phase === 'sending' || run.phase === 'following' || run.phase === 'reading';
  return (
    <section aria-labelledby="import-report" className="import-report">
      <h2 id="import-report">Report</h2>
      <p className="import-status" role="status" aria-live="polite">
        {busy && <span className="spinner" aria-hidden="true" />} {statusText(run) ?? 'Nothing checked yet.'}
      </p>
      {run.phase === 'failed' && <ImportFailure error={run.error} />}
      {run.phase === 'refused' && (
        <div className="state state-error" role="alert">
          <strong>The package was refused as a whole.</strong>
          <ul className="problems">
            {run.errors.map((error, index) => (
              <ProblemItem key={index} error={error} />
            ))}
          </ul>
        </div>
      )}
      {'job' in run && run.job && <JobReport job={run.job} records={run.records ?? []} reading={busy} />}
    </section>
  );
}

/** Transport errors, each with what to do about it. */
function ImportFailure({ error }: { error: RequestError }) {
  const [title, hint] =
    error.status === 401 || error.code === 'UNAUTHENTICATED'
      ? [
          'The gateway did not accept this key.',
          'Check that the whole key was pasted (nfk_, 32 letters and digits, _ and a 6-character checksum); a revoked or expired key is refused too.',
        ]
      : error.code === 'FORBIDDEN'
        ? [
            'This key may not import.',
            'Importing needs a key with the write scope, and following the job the read scope: ask for a key created with --scopes read,write.',
          ]
        : error.status === 413 || error.code === 'PAYLOAD_TOO_LARGE'
          ? [
              'The package is too large to send.',
              'A package may hold up to 16 MiB of JSON, sent with a write key; requests with any other key, or none, may carry 64 KiB at most.',
            ]
          : error.status === 429
            ? [
                'Too many requests for this key just now.',
                `Try again ${error.retryAfter ? `in ${error.retryAfter} s` : 'in a minute'}.`,
              ]
            : ['The package could not be sent or followed.', null];
  return (
    <Failure error={error} title={title}>
      {hint && <p>{hint}</p>}
    </Failure>
  );
}

type Filter = 'ALL' | 'PROBLEMS' | ImportOutcome;

function JobReport({ job, records, reading }: { job: Job; records: ImportRecord[]; reading: boolean }) {
  const [filter, setFilter] = useState<Filter>('ALL');
  // Statements are shown in their source: the package's one source, as this report names it.
  const sourceSlug = records.find((record) => record.kind === 'SOURCE')?.slug ?? null;
  const shown = useMemo(
    () =>
      filter === 'ALL'
        ? records
        : filter === 'PROBLEMS'
          ? records.filter((record) => record.outcome === 'AMBIGUOUS' || record.outcome === 'REJECTED')
          : records.filter((record) => record.outcome === filter),
    [records, filter],
  );
  const problems = job.counts.ambiguous + job.counts.rejected;
  return (
    <>
      <p className="meta">
        {job.dryRun ? 'Dry run' : 'Import'} of package <code>{job.packageId}</code> · job <code>{job.id}</code> ·{' '}
        <span className={`job-status job-${job.status.toLowerCase()}`}>{job.status}</span>
        {job.dryRun && job.status === 'DONE' && ' · nothing was written'}
      </p>
      {job.failure && (
        <div className="state state-error" role="alert">
          <strong>The job stopped before every record had an outcome.</strong>
          <p>{job.failure}</p>
        </div>
      )}
      <dl
        className="import-counts"
        aria-label={ENDED.has(job.status) ? 'Records by outcome' : 'Records by outcome so far'}
      >
        {OUTCOMES.map((outcome) => (
          <div key={outcome} className={`count outcome-${outcome.toLowerCase()}`} data-outcome={outcome}>
            <dt>{outcomeLabel(outcome, job.dryRun)}</dt>
            <dd>{job.counts[COUNT_OF[outcome]]}</dd>
          </div>
        ))}
      </dl>
      {ENDED.has(job.status) && (
        <>
          <div className="report-tools">
            <label htmlFor="import-filter">Show</label>
            <select id="import-filter" value={filter} onChange={(event) => setFilter(event.target.value as Filter)}>
              <option value="ALL">every record</option>
              <option value="PROBLEMS">ambiguous and rejected only ({problems})</option>
              {OUTCOMES.map((outcome) => (
                <option key={outcome} value={outcome}>
                  {outcomeLabel(outcome, job.dryRun)} only ({job.counts[COUNT_OF[outcome]]})
                </option>
              ))}
            </select>
            {reading && <span className="muted">Still reading the report…</span>}
          </div>
          <div className="table-scroll">
            <table className="import-records">
              <caption>
                What {job.dryRun ? 'an import would do with' : 'became of'} each record of the package, in its order:{' '}
                {shown.length} of {records.length} shown.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Key</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Matched</th>
                  <th scope="col">Record</th>
                  <th scope="col">Candidates and errors</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((record) => (
                  <RecordRow key={record.path.join('.')} record={record} dryRun={job.dryRun} sourceSlug={sourceSlug} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

/** How a record was matched: "alias “Vyacheslav Hladkov”", "slug “belgorod-incursion-2023”". */
function matchedHow(record: ImportRecord): string | null {
  switch (record.matchedBy) {
    case null:
      return null;
    case 'EXTERNAL_ID':
      return 'an earlier import of this package';
    case 'SLUG':
      return `slug “${record.slug}”`;
    case 'NAME':
      return `name “${record.matchedName}”`;
    case 'ALIAS':
      return `alias “${record.matchedName}”`;
    case 'TEXT':
      return record.kind === 'CLAIM' ? 'the same words, on the same event' : 'the same text';
  }
}

/** The explorer's page for a record, where it has one. */
function pageOf(kind: ImportRecord['kind'], slug: string | null, id: string | null, sourceSlug: string | null) {
  if (kind === 'ACTOR' && slug) return `#/actor/${slug}`;
  if (kind === 'EVENT' && slug) return `#/event/${slug}`;
  if (kind === 'SOURCE' && slug) return `#/source/${slug}`;
  if (kind === 'STATEMENT' && id && sourceSlug) return statementInSource(sourceSlug, id);
  return null;
}

const RecordRow = memo(function RecordRow({
  record,
  dryRun,
  sourceSlug,
}: {
  record: ImportRecord;
  dryRun: boolean;
  sourceSlug: string | null;
}) {
  // In a dry run a record to be created has its id and slug already, but no page yet.
  const exists = record.recordId !== null && !(dryRun && record.outcome === 'CREATED');
  const href = exists ? pageOf(record.kind, record.slug, record.recordId, sourceSlug) : null;
  const name = record.slug ?? record.recordId;
  const how = matchedHow(record);
  return (
    <tr data-key={record.key} data-kind={record.kind} data-outcome={record.outcome}>
      <td>{words(record.kind)}</td>
      <td>
        <code>{record.key}</code>
      </td>
      <td>
        <span className={`outcome outcome-${record.outcome.toLowerCase()}`}>
          {outcomeLabel(record.outcome, dryRun)}
        </span>
      </td>
      <td data-matched-by={record.matchedBy ?? undefined}>{how ? `by ${how}` : '—'}</td>
      <td>
        {href ? (
          <a href={href} title={record.recordId ?? undefined}>
            {record.kind === 'STATEMENT' ? 'in its source' : name}
          </a>
        ) : name ? (
          <>
            {!exists && <span className="muted">new id </span>}
            <code title={record.recordId ?? undefined}>{name}</code>
          </>
        ) : (
          '—'
        )}
      </td>
      <td>
        {record.candidates.length > 0 && (
          <>
            Could be any of:
            <ul className="candidates">
              {record.candidates.map((candidate) => (
                <li key={candidate.id}>
                  {candidate.slug ? <a href={`#/actor/${candidate.slug}`}>{candidate.name}</a> : candidate.name}
                  {candidate.matchedName !== candidate.name && <> (as “{candidate.matchedName}”)</>}{' '}
                  <code>{candidate.id}</code>
                </li>
              ))}
            </ul>
          </>
        )}
        {record.errors.length > 0 && (
          <ul className="problems">
            {record.errors.map((error, index) => (
              <ProblemItem key={index} error={error} />
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
});

/** One refused field: its path in the package joined with dots, its code and its message. */
function ProblemItem({ error }: { error: FieldError }) {
  return (
    <li>
      <code>{error.field.join('.')}</code> <strong>{error.code}</strong>: {error.message}
    </li>
  );
}
