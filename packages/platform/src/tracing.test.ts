import http from 'node:http';
import { context, propagation, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { lateralPage } from './lateral-page';
import { CHANGE_LOG_SIGNAL_SQL } from './subgraph';
import {
  inClientSpan,
  loadTracingConfig,
  startTracing,
  summarizeSql,
  traceHttpRequest,
  tracedBatch,
  tracingEnabled,
} from './tracing';

describe('summarizeSql', () => {
  it('names the operation and the first table, without its schema or quotes', () => {
    expect(
      summarizeSql(
        'SELECT "public"."Event"."id", "public"."Event"."slug" FROM "public"."Event" WHERE "public"."Event"."slug" IN ($1,$2) OFFSET $3',
      ),
    ).toEqual({ operation: 'SELECT', table: 'Event' });
    expect(summarizeSql('INSERT INTO "public"."Statement" ("id","quote") VALUES ($1,$2) RETURNING "id"')).toEqual({
      operation: 'INSERT',
      table: 'Statement',
    });
    expect(summarizeSql('UPDATE "public"."ImportJob" SET "heartbeatAt" = $1 WHERE "id" = $2')).toEqual({
      operation: 'UPDATE',
      table: 'ImportJob',
    });
    expect(summarizeSql('delete from actor_alias where id = $1')).toEqual({
      operation: 'DELETE',
      table: 'actor_alias',
    });
    expect(summarizeSql('  -- a comment\n/* another */ select 1')).toEqual({ operation: 'SELECT' });
    expect(summarizeSql('BEGIN')).toEqual({ operation: 'BEGIN' });
    expect(summarizeSql('COMMIT')).toEqual({ operation: 'COMMIT' });
    expect(summarizeSql('EXPLAIN SELECT * FROM "Event"')).toEqual({ operation: 'OTHER' });
  });

  it('skips functions and subqueries in FROM for the first real table', () => {
    const page = lateralPage({
      table: 'Participant',
      parent: { column: 'eventId', type: 'uuid', values: ['00000000-0000-0000-0000-000000000001'] },
      orderBy: [{ column: 'role' }, { column: 'id' }],
      first: 5,
    });
    expect(summarizeSql(page.sql)).toEqual({ operation: 'SELECT', table: 'Participant' });
    expect(summarizeSql(CHANGE_LOG_SIGNAL_SQL)).toEqual({ operation: 'SELECT', table: 'Change' });
    expect(summarizeSql('WITH moved AS (SELECT id FROM "Actor") UPDATE "Participant" SET x = 1')).toEqual({
      operation: 'WITH',
      table: 'Actor',
    });
  });

  it('never answers with a literal, a parameter or a comment, whatever the statement holds', () => {
    const secret = 'belgorod-incursion-2023';
    const statements = [
      `SELECT * FROM "Event" WHERE slug = '${secret}'`,
      `SELECT 'FROM ${secret}' AS x`,
      `SELECT * FROM '${secret}'`,
      `INSERT INTO "Event" (slug) VALUES (E'${secret}\\'s')`,
      `SELECT $$ FROM ${secret} $$ FROM "Event"`,
      `SELECT $tag$ FROM ${secret} $tag$`,
      `SELECT 1 /* FROM ${secret} */`,
      `SELECT 1 -- FROM ${secret}`,
      `DELETE FROM "Event" WHERE slug = '${secret}' OR slug = 'it''s FROM ${secret}'`,
    ];
    for (const sql of statements) {
      const summary = JSON.stringify(summarizeSql(sql));
      expect(summary, sql).not.toContain('belgorod');
      expect(summary, sql).not.toContain('$');
    }
    expect(summarizeSql(statements[0]!)).toEqual({ operation: 'SELECT', table: 'Event' });
    expect(summarizeSql(statements[4]!)).toEqual({ operation: 'SELECT', table: 'Event' });
  });
});

describe('tracing configuration', () => {
  it('is off without an endpoint, and reads the standard variables', () => {
    expect(loadTracingConfig('events', {})).toEqual({
      tracesUrl: undefined,
      serviceName: 'events',
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      scheduleDelayMs: 5_000,
    });
    expect(
      loadTracingConfig('events', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_SERVICE_NAME: 'events-eu',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      }),
    ).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      serviceName: 'events-eu',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      scheduleDelayMs: 200,
    });
    expect(
      loadTracingConfig('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })
        .tracesUrl,
    ).toBeUndefined();
    expect(() => loadTracingConfig('gateway', { OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
  });

  it('without an endpoint registers nothing: no spans, no propagated headers, helpers pass through', async () => {
    const tracing = await startTracing(loadTracingConfig('events', {}));
    expect(tracing.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    // Still the API's proxy with no SDK behind it: every tracer it gives is a no-op.
    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(false);
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    expect(carrier).toEqual({});

    const headers = await inClientSpan('peer events', {}, async (clientSpan, traceHeaders) => {
      expect(clientSpan.isRecording()).toBe(false);
      return traceHeaders;
    });
    expect(headers).toEqual({});
    const batch = async (keys: readonly string[]) => keys.map((key) => key.toUpperCase());
    expect(await tracedBatch('probe', batch)(['a'])).toEqual(['A']);

    const req = new http.IncomingMessage(null as never);
    req.headers = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    expect(traceHttpRequest(req, new http.ServerResponse(req), '/graphql')).toBeUndefined();
    await tracing.shutdown();
  });
});
