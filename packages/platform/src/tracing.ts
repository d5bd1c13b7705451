// Distributed traces (OpenTelemetry), instrumented by hand through @opentelemetry/api: auto-
// instrumentation of ESM under tsx needs loader hooks and breaks easily. Every helper here is a
// plain pass-through until startTracing() has registered an exporter, so that a process without
// OTEL_EXPORTER_OTLP_ENDPOINT pays nothing: no SDK loaded, no spans, no context switches.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  context,
  diag,
  DiagLogLevel,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { z } from 'zod';
import { optionalUrl, parseConfig } from './config';
import type { Logger } from './logger';

export { SpanStatusCode, type Span };

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export interface TracingConfig {
  /** Where spans are posted (OTLP/HTTP, JSON); unset keeps tracing off. */
  tracesUrl: string | undefined;
  serviceName: string;
  sampler: (typeof SAMPLERS)[number];
  /** For the ratio samplers: the share of new traces kept. */
  samplerRatio: number;
  /** How long finished spans wait to be sent in one batch. */
  scheduleDelayMs: number;
}

/**
 * The standard OpenTelemetry variables this project honours: OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, used as given), OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER,
 * OTEL_TRACES_SAMPLER_ARG, OTEL_BSP_SCHEDULE_DELAY and OTEL_SDK_DISABLED.
 */
export function loadTracingConfig(service: string, env: NodeJS.ProcessEnv = process.env): TracingConfig {
  const parsed = parseConfig(
    z.object({
      OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
      OTEL_SERVICE_NAME: z.preprocess((value) => (value === '' ? undefined : value), z.string().optional()),
      OTEL_TRACES_SAMPLER: z.preprocess(
        (value) => (value === '' ? undefined : value),
        z.enum(SAMPLERS).default('parentbased_always_on'),
      ),
      OTEL_TRACES_SAMPLER_ARG: z.preprocess(
        (value) => (value === '' ? undefined : value),
        z.coerce.number().min(0).max(1).default(1),
      ),
      OTEL_BSP_SCHEDULE_DELAY: z.preprocess(
        (value) => (value === '' ? undefined : value),
        z.coerce.number().int().min(0).max(600_000).default(5_000),
      ),
      OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).optional(),
    }),
    env,
  );
  // The generic endpoint is a base: the spec appends the signal's path to it.
  const tracesUrl =
    parsed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (parsed.OTEL_EXPORTER_OTLP_ENDPOINT
      ? `${parsed.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`
      : undefined);
  return {
    tracesUrl: parsed.OTEL_SDK_DISABLED === 'true' ? undefined : tracesUrl,
    serviceName: parsed.OTEL_SERVICE_NAME ?? service,
    sampler: parsed.OTEL_TRACES_SAMPLER,
    samplerRatio: parsed.OTEL_TRACES_SAMPLER_ARG,
    scheduleDelayMs: parsed.OTEL_BSP_SCHEDULE_DELAY,
  };
}

export interface Tracing {
  readonly enabled: boolean;
  /** Sends the spans still waiting and stops; call last on shutdown. */
  shutdown(): Promise<void>;
}

let enabled = false;
// Taken again once the SDK is registered: under tsx this module gets the API's ES build and the
// SDK its CommonJS build, and a tracer taken before registration would stay the ES build's no-op.
let tracer = trace.getTracer('newsfacts');
/** Handed to callbacks while tracing is off: every method does nothing. */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Registers the SDK and an OTLP/HTTP exporter when the config names where to send spans;
 * otherwise registers nothing, and the API's no-op tracer stays in place. The SDK is imported
 * only then, so a process without tracing never loads it.
 */
export async function startTracing(config: TracingConfig, logger?: Logger): Promise<Tracing> {
  if (!config.tracesUrl || enabled) return { enabled, shutdown: async () => {} };
  const [{ NodeTracerProvider, BatchSpanProcessor, ...samplers }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const ratio = new samplers.TraceIdRatioBasedSampler(config.samplerRatio);
  const sampler = {
    always_on: new samplers.AlwaysOnSampler(),
    always_off: new samplers.AlwaysOffSampler(),
    traceidratio: ratio,
    parentbased_always_on: new samplers.ParentBasedSampler({ root: new samplers.AlwaysOnSampler() }),
    parentbased_always_off: new samplers.ParentBasedSampler({ root: new samplers.AlwaysOffSampler() }),
    parentbased_traceidratio: new samplers.ParentBasedSampler({ root: ratio }),
  }[config.sampler];
  if (logger) {
    // Export failures (a collector that is down) would otherwise pass in silence.
    const warn = (message: string, ...args: unknown[]) => logger.warn({ args }, `tracing: ${message}`);
    diag.setLogger({ error: warn, warn, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    sampler,
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }), {
        scheduledDelayMillis: config.scheduleDelayMs,
      }),
    ],
  });
  // W3C trace context only: baggage would carry whatever a client put in it to every subgraph.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  tracer = trace.getTracer('newsfacts');
  enabled = true;
  logger?.info({ tracesUrl: config.tracesUrl, sampler: config.sampler }, 'tracing: spans are exported over OTLP/HTTP');
  return {
    enabled: true,
    shutdown: async () => {
      await provider.shutdown().catch((error: unknown) => logger?.warn({ err: error }, 'tracing: flush failed'));
    },
  };
}

/** What an error says about itself without its message, which may quote values. */
function errorType(error: unknown): string {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return typeof code === 'string' ? code : typeof name === 'string' ? name : 'Error';
}

function failed(span: Span, error: unknown): void {
  const type = errorType(error);
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** Runs `run` in a new active span (a child of the active one), ended when it settles. */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  run: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  if (!enabled) return run(NO_SPAN);
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await run(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * A call to another service: a client span, and the headers (`traceparent`) that make the
 * other side's server span its child.
 */
export function inClientSpan<T>(
  name: string,
  attributes: Attributes,
  run: (span: Span, traceHeaders: Record<string, string>) => Promise<T>,
): Promise<T> {
  if (!enabled) return run(NO_SPAN, {});
  return inSpan(
    name,
    attributes,
    (span) => {
      const traceHeaders: Record<string, string> = {};
      propagation.inject(context.active(), traceHeaders);
      return run(span, traceHeaders);
    },
    SpanKind.CLIENT,
  );
}

/** A DataLoader batch function that runs in a span of its own: one per batch, with its size. */
export function tracedBatch<K, V>(
  loader: string,
  batch: (keys: readonly K[]) => PromiseLike<ArrayLike<V | Error>>,
): (keys: readonly K[]) => Promise<ArrayLike<V | Error>> {
  if (!enabled) return async (keys) => batch(keys);
  return (keys) =>
    inSpan('dataloader.batch', { 'dataloader.name': loader, 'dataloader.batch_size': keys.length }, async () =>
      batch(keys),
    );
}

/** The active span's ids, for log lines; undefined outside a sampled or propagated trace. */
export function currentTraceIds(): { traceId: string; spanId: string } | undefined {
  if (!enabled) return undefined;
  const spanContext = trace.getSpan(context.active())?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext)
    ? { traceId: spanContext.traceId, spanId: spanContext.spanId }
    : undefined;
}

/** One HTTP request's server span. */
export interface RequestTrace {
  traceId: string;
  spanId: string;
  /** Runs `next` with the server span active, so that what it starts becomes its children. */
  activate<T>(next: () => T): T;
}

/**
 * The server span of one HTTP request, continuing the trace of an incoming `traceparent` (a
 * client's, the gateway's or a peer's) or starting one; ended when the response closes. Not
 * made active here: the body parser's stream callbacks would lose it, so the caller activates
 * it once the body is read.
 */
export function traceHttpRequest(
  req: IncomingMessage & { headers: IncomingHttpHeaders },
  res: ServerResponse,
  route: string,
): RequestTrace | undefined {
  if (!enabled) return undefined;
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const method = req.method ?? 'GET';
  const span = tracer.startSpan(
    `${method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route } },
    parent,
  );
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    if (!res.writableFinished) span.setAttribute('newsfacts.aborted', true);
    span.end();
  });
  const { traceId, spanId } = span.spanContext();
  if (!trace.isSpanContextValid(span.spanContext())) return undefined;
  const active = trace.setSpan(parent, span);
  return { traceId, spanId, activate: (next) => context.with(active, next) };
}

/** Names the server span after the GraphQL operation it ran, once it is known. */
export const operationNameOnSpan: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    if (!enabled) return;
    return {
      async didResolveOperation({ operationName, operation }) {
        const span = trace.getSpan(context.active());
        if (operationName) span?.setAttribute('graphql.operation.name', operationName.slice(0, 100));
        if (operation) span?.setAttribute('graphql.operation.type', operation.operation);
      },
    };
  },
};

// --- SQL statements ------------------------------------------------------------------------

const OPERATIONS = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'WITH',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'SET',
  'SHOW',
  'CREATE',
  'ALTER',
  'DROP',
  'TRUNCATE',
  'LOCK',
  'DO',
  'VACUUM',
  'ANALYZE',
]);
const IDENTIFIER = /^(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))*/;
const NOT_TABLES = new Set(['LATERAL', 'ONLY', 'SELECT', 'UNNEST', 'VALUES']);

/**
 * A statement's operation and first table, for a span's name: `SELECT` and the first table
 * after FROM, or the table of INSERT INTO, UPDATE and DELETE FROM. Read from the text with its
 * string literals, comments and dollar-quoted bodies cut out first, so that no value, whether
 * a parameter or a literal, can ever reach the answer.
 */
export function summarizeSql(sql: string): { operation: string; table?: string } {
  const text = sql
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, ' ')
    .replace(/[EeBbXxUu]?&?'(?:[^']|'')*'/g, ' ')
    .trim();
  const first = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase();
  const operation = first && OPERATIONS.has(first) ? first : 'OTHER';
  const after = (pattern: RegExp, inFrom = false): string | undefined => {
    for (const match of text.matchAll(pattern)) {
      const rest = text.slice(match.index + match[0].length);
      const name = IDENTIFIER.exec(rest)?.[0];
      if (!name) continue; // a subquery or a parenthesised list
      // A function in FROM (unnest(...)) is not a table; after INSERT INTO, a column list follows.
      if (inFrom && /^\s*\(/.test(rest.slice(name.length))) continue;
      // The table's own name, without its schema.
      const last = name.match(/"(?:[^"]|"")+"|[A-Za-z_][\w$]*/g)!.pop()!;
      const table = last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last;
      if (NOT_TABLES.has(table.toUpperCase())) continue;
      return table.slice(0, 63);
    }
    return undefined;
  };
  const table =
    operation === 'INSERT'
      ? after(/\bINTO\s+/gi)
      : operation === 'UPDATE'
        ? after(/^UPDATE\s+(?:ONLY\s+)?/gi)
        : operation === 'DELETE' || operation === 'SELECT' || operation === 'WITH'
          ? after(/\bFROM\s+(?:ONLY\s+)?/gi, true)
          : undefined;
  return table ? { operation, table } : { operation };
}

/**
 * A finished SQL statement as a span, named by its operation and table only: never its text,
 * parameters or values. Made only inside a trace (a request, an import job), so that a
 * background poll does not start a trace of its own each time.
 */
export function recordSqlStatement(sql: string, seconds: number, ok: boolean): void {
  if (!enabled) return;
  const parent = trace.getSpan(context.active());
  if (!parent?.isRecording()) return;
  const { operation, table } = summarizeSql(sql);
  const end = performance.timeOrigin + performance.now();
  const span = tracer.startSpan(table ? `${operation} ${table}` : operation, {
    kind: SpanKind.CLIENT,
    startTime: end - seconds * 1000,
    attributes: {
      'db.system.name': 'postgresql',
      'db.operation.name': operation,
      ...(table ? { 'db.collection.name': table } : {}),
    },
  });
  if (!ok) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(end);
}
