/**
 * Distributed traces through the real gateway and subgraphs: a client's `traceparent` is
 * continued by the gateway and every subgraph the raid query reaches, each subgraph fetch is a
 * client span whose child is that subgraph's server span, SQL statements are spans that name
 * their operation and table and never a value, and the request's log line carries the trace id.
 * Spans are caught by a small OTLP/HTTP receiver (the exporter posts JSON to /v1/traces).
 * That a process without OTEL_EXPORTER_OTLP_ENDPOINT registers nothing is proved in
 * packages/platform/src/tracing.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAID_QUERY, RAID_SLUG } from '../../gateway/web/src/examples/raid-query';
import { eventually } from '../helpers/eventually';
import { postGraphQL, startFederation, type Federation } from '../helpers/federation';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: OtlpValue }>;
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: OtlpValue }> };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean | undefined>;
}

const SERVER = 2;
const CLIENT = 3;

// OTLP/JSON carries ids as hex; accept base64 too, in case an exporter sends protobuf's JSON mapping.
const hexId = (id: string | undefined) =>
  !id ? undefined : /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
const valueOf = (value: OtlpValue) =>
  value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue));

const received: ReceivedSpan[] = [];
let receiver: http.Server;
let federation: Federation;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.startsWith('application/json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
        for (const resourceSpans of body.resourceSpans) {
          const service = String(
            valueOf(resourceSpans.resource.attributes.find((a) => a.key === 'service.name')!.value),
          );
          for (const span of resourceSpans.scopeSpans.flatMap((scope) => scope.spans)) {
            received.push({
              service,
              traceId: hexId(span.traceId)!,
              spanId: hexId(span.spanId)!,
              parentSpanId: hexId(span.parentSpanId),
              name: span.name,
              kind: span.kind,
              attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, valueOf(a.value)])),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  federation = await startFederation({
    env: {
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
}, 120_000);

afterAll(async () => {
  await federation?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('a client trace through the federation', () => {
  const traceId = randomBytes(16).toString('hex');
  const clientSpanId = randomBytes(8).toString('hex');
  let responseRequestId: string | null;
  const ofTrace = () => received.filter((span) => span.traceId === traceId);

  beforeAll(async () => {
    const { status, body, headers } = await postGraphQL(
      `${federation.gatewayUrl}/graphql`,
      RAID_QUERY,
      { slug: RAID_SLUG },
      { traceparent: `00-${traceId}-${clientSpanId}-01` },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data!.event.title).toBeTruthy();
    responseRequestId = headers.get('x-request-id');
    // Exported in batches: wait until each service's server span has arrived.
    await eventually(() => {
      const servers = new Set(
        ofTrace()
          .filter((span) => span.kind === SERVER)
          .map((span) => span.service),
      );
      expect(servers).toEqual(new Set(['gateway', 'events', 'actors', 'statements']));
    }, 15_000);
  }, 60_000);

  it('the gateway continues the client trace, named after the operation', () => {
    const [server] = ofTrace().filter((span) => span.service === 'gateway' && span.kind === SERVER);
    expect(server).toMatchObject({
      name: 'POST /graphql',
      parentSpanId: clientSpanId,
      attributes: {
        'graphql.operation.name': 'Raid',
        'graphql.operation.type': 'query',
        'http.response.status_code': 200,
      },
    });
    // Apollo Gateway's own spans of planning and executing the query plan, inside it.
    const names = ofTrace()
      .filter((span) => span.service === 'gateway')
      .map((span) => span.name);
    expect(names).toEqual(
      expect.arrayContaining(['gateway.request', 'gateway.plan', 'gateway.execute', 'gateway.fetch']),
    );
  });

  it('each subgraph fetch is a client span whose child is the subgraph server span', () => {
    const spans = ofTrace();
    const fetches = spans.filter((span) => span.service === 'gateway' && span.kind === CLIENT);
    for (const subgraph of ['events', 'actors', 'statements']) {
      const ofSubgraph = fetches.filter((span) => span.attributes['subgraph.name'] === subgraph);
      expect(ofSubgraph.length, subgraph).toBeGreaterThan(0);
      for (const fetch of ofSubgraph) {
        expect(fetch).toMatchObject({ name: `subgraph ${subgraph}`, attributes: { 'subgraph.outcome': 'ok' } });
        const children = spans.filter((span) => span.parentSpanId === fetch.spanId);
        expect(children, subgraph).toEqual([
          expect.objectContaining({ service: subgraph, kind: SERVER, name: 'POST /graphql' }),
        ]);
        // Under Apollo Gateway's span of the fetch node.
        expect(spans.find((span) => span.spanId === fetch.parentSpanId)?.name).toBe('gateway.fetch');
      }
    }
  });

  it('SQL statements are spans naming operation and table, under the loaders that batched them', () => {
    const spans = ofTrace();
    const sql = spans.filter((span) => span.attributes['db.system.name'] === 'postgresql');
    for (const service of ['events', 'actors', 'statements']) {
      expect(sql.filter((span) => span.service === service).length, service).toBeGreaterThan(0);
    }
    for (const span of sql) {
      const { 'db.operation.name': operation, 'db.collection.name': table } = span.attributes;
      expect(span.name).toBe(table ? `${operation} ${table}` : operation);
      expect(Object.keys(span.attributes).sort()).toEqual(
        ['db.collection.name', 'db.operation.name', 'db.system.name'].filter((key) => key in span.attributes),
      );
    }
    expect(sql.map((span) => `${span.service}: ${span.name}`)).toEqual(
      expect.arrayContaining(['events: SELECT Event', 'actors: SELECT Actor', 'statements: SELECT Statement']),
    );
    // The event is read by slug through a loader: its SELECT is a child of that batch's span.
    const eventRead = sql.find((span) => span.service === 'events' && span.name === 'SELECT Event')!;
    expect(spans.find((span) => span.spanId === eventRead.parentSpanId)).toMatchObject({
      name: 'dataloader.batch',
      attributes: { 'dataloader.name': 'rowsBySlug', 'dataloader.batch_size': 1 },
    });
  });

  it('no span carries a value from the query variables', () => {
    for (const span of ofTrace()) expect(JSON.stringify(span), span.name).not.toContain(RAID_SLUG);
  });

  it("the request's log lines carry the trace id, which is the request id when the client sent none", async () => {
    expect(responseRequestId).toBe(traceId);
    const requestLines = () =>
      federation.output
        .filter((line) => line.includes(traceId) && line.includes('"msg":"request"'))
        .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
    await eventually(() =>
      expect(new Set(requestLines().map((entry) => entry.service))).toEqual(
        new Set(['gateway', 'events', 'actors', 'statements']),
      ),
    );
    const serverSpans = ofTrace().filter((span) => span.kind === SERVER);
    for (const entry of requestLines()) {
      expect(entry).toMatchObject({ traceId, requestId: traceId });
      // Each line names the server span of its own request.
      expect(serverSpans.map((span) => span.spanId)).toContain(entry.spanId);
    }
  });
});
