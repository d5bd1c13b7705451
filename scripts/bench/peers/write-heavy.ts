/**
 * The write-heavy mix of `npm run bench:peers`: reads of a few hot events interleaved with 5%
 * mutations of their titles, through one gateway at a time, and a check that no read returns a
 * title older than a write that had answered before the read was sent, whichever gateway the
 * write went through.
 *
 * Every title ends in ` #<n>`, n from one counter for the whole run, so a later write always
 * carries a larger n. Writes to one event are never in flight together (a connection that would
 * write to a busy event reads instead), so the event's stored title is always the one of the
 * last write to answer, or of one still in flight. A read notes, as it is sent, the n of the last
 * write to that event that had answered; it is stale if it returns a smaller one.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** The share of requests that write. */
export const WRITE_SHARE = 0.05;

export const CREATE_HOT_EVENT = /* GraphQL */ `
  mutation CreateHotEvent($input: CreateEventInput!) {
    createEvent(input: $input) {
      event {
        id
        slug
        title
      }
      errors {
        code
        message
      }
    }
  }
`;

const UPDATE_TITLE = /* GraphQL */ `
  mutation WriteTitle($input: UpdateEventInput!) {
    updateEvent(input: $input) {
      event {
        id
        title
      }
      errors {
        code
        message
      }
    }
  }
`;

/** Reads, writes and stale reads of one run. */
export interface ConsistencyFigures {
  reads: number;
  writes: number;
  /** Reads that returned a title older than a write to that event that had answered before they were sent. */
  staleReads: number;
  /** The first few, to see how stale. */
  staleExamples: StaleRead[];
}

export interface StaleRead {
  event: string;
  /** The n in the title the read returned, and in the last write that had answered before it was sent. */
  returned: number;
  expected: number;
  /** How long after that write had answered the read was sent. */
  sentAfterWriteMs: number;
}

const STALE_EXAMPLES_KEPT = 5;

interface HotEvent {
  id: string;
  slug: string;
  label: string;
  /** A write to it is in flight. */
  writing: boolean;
  /** A write to it failed, so what it holds is not known: no more writes to it. */
  retired: boolean;
  /** The last write that answered: its n and when (performance.now()). */
  answered: { n: number; at: number };
}

/** What every gateway's runs share: the counter, and the writes that have answered on any of them. */
export class WriteLedger {
  private counter = 0;
  private lastAnsweredAt = -Infinity;
  readonly events: HotEvent[] = [];

  /** The title the nth write gives an event; n 0 is the title it is created with. */
  static title(label: string, n: number): string {
    return `${label} #${n}`;
  }

  static numberIn(title: unknown): number | null {
    const match = typeof title === 'string' ? /#(\d+)$/.exec(title) : null;
    return match ? Number(match[1]) : null;
  }

  add(event: { id: string; slug: string; label: string }) {
    this.events.push({ ...event, writing: false, retired: false, answered: { n: 0, at: performance.now() } });
  }

  next(): number {
    return ++this.counter;
  }

  /** When the last write answered, on any gateway. */
  get lastWriteAnsweredAt(): number {
    return this.lastAnsweredAt;
  }

  answered(event: HotEvent, n: number) {
    const at = performance.now();
    if (n > event.answered.n) event.answered = { n, at };
    this.lastAnsweredAt = at;
  }
}

/** POSTs a JSON body over a keep-alive agent; the status and the whole answer. */
function postJson(
  agent: http.Agent,
  url: URL,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.once('error', reject);
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}

/** The answer's data when it came with status 200 and no GraphQL errors; otherwise undefined. */
function dataOf(answer: { status: number; text: string }): Record<string, unknown> | undefined {
  if (answer.status !== 200) return undefined;
  const json = JSON.parse(answer.text) as { data?: Record<string, unknown> | null; errors?: unknown };
  return json.errors || !json.data ? undefined : json.data;
}

export interface WriteHeavyLoad {
  url: string;
  /** Sent with every request: the benchmark's key, for ours. */
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  ledger: WriteLedger;
  /** Each read's body, and the hot event whose title it returns (at data.event.title), if any. */
  reads: Array<{ body: string; event?: HotEvent }>;
  random: () => number;
}

export interface WriteHeavyResult {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  consistency: ConsistencyFigures;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : NaN;

/** `connections` connections, each sending its next read or write as soon as its answer arrives. */
export async function writeHeavyLoop(load: WriteHeavyLoad): Promise<WriteHeavyResult> {
  const { ledger, random } = load;
  const url = new URL(load.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: load.connections });
  const latencies: number[] = [];
  const figures: ConsistencyFigures = { reads: 0, writes: 0, staleReads: 0, staleExamples: [] };
  let errors = 0;

  const write = async (event: HotEvent) => {
    const n = ledger.next();
    const title = WriteLedger.title(event.label, n);
    event.writing = true;
    let ok = false;
    try {
      const answer = await postJson(
        agent,
        url,
        JSON.stringify({ query: UPDATE_TITLE, variables: { input: { id: event.id, title } } }),
        load.headers,
      );
      const payload = dataOf(answer)?.updateEvent as { event?: { title?: string }; errors?: unknown[] } | undefined;
      ok = payload?.event?.title === title && payload.errors?.length === 0;
      if (ok) ledger.answered(event, n);
    } catch {
      // counted just below, as any failed write
    } finally {
      figures.writes++;
      if (!ok) {
        errors++;
        event.retired = true;
      }
      event.writing = false;
    }
  };

  const read = async ({ body, event }: WriteHeavyLoad['reads'][number]) => {
    // As it is sent: the last write to its event that had answered.
    const expected = event ? { ...event.answered } : undefined;
    const sentAt = performance.now();
    try {
      const data = dataOf(await postJson(agent, url, body, load.headers));
      if (!data) return void errors++;
      if (!event || !expected) return;
      const returned = WriteLedger.numberIn((data.event as { title?: unknown } | null)?.title);
      if (returned === null) return void errors++;
      if (returned < expected.n) {
        figures.staleReads++;
        if (figures.staleExamples.length < STALE_EXAMPLES_KEPT)
          figures.staleExamples.push({
            event: event.slug,
            returned,
            expected: expected.n,
            sentAfterWriteMs: Math.round((sentAt - expected.at) * 10) / 10,
          });
      }
    } finally {
      figures.reads++;
    }
  };

  const deadline = performance.now() + load.seconds * 1000;
  const connection = async () => {
    while (performance.now() < deadline) {
      const writing = random() < WRITE_SHARE;
      const idle = ledger.events.filter((event) => !event.writing && !event.retired);
      const started = performance.now();
      try {
        if (writing && idle.length) await write(idle[Math.floor(random() * idle.length)]!);
        else await read(load.reads[Math.floor(random() * load.reads.length)]!);
      } catch {
        errors++;
      }
      latencies.push(performance.now() - started);
    }
  };
  try {
    await Promise.all(Array.from({ length: load.connections }, connection));
  } finally {
    agent.destroy();
  }
  latencies.sort((a, b) => a - b);
  return {
    requests: figures.reads + figures.writes,
    errors,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    consistency: figures,
  };
}
