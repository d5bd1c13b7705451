// Fewer subgraph fetches per query, in two halves.
//
// The plan. Apollo's planner fetches an entity type as soon as its keys are known, so a query that
// reaches actors by two paths (the raid's participants, known after the events fetch, and its
// speakers, known only after the statements fetch) fetches the actors subgraph twice: once beside
// the statements fetch, once after it. `mergeSameSubgraphFetches` moves such an early entity fetch
// down to run beside the later one of the same subgraph. The answer's critical path does not
// grow: the later fetch was on it anyway, and the early one never was.
//
// The wire. `mergingFetcher` sends the query fetches that one gateway request makes to one
// subgraph in the same turn of the event loop as one GraphQL operation, each fetch's fields
// under aliases and its variables and fragments renamed, and hands each its own part of the
// answer. One request also lets the subgraph's DataLoaders load every set of keys in one query.
// Across requests (for one caller) the same is done with the fetches of every request in that
// turn: under load, many requests' fetches, root fields and entities alike, cost the subgraph one
// HTTP request and one query per table instead of one each.
import {
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
  type VariableNode,
} from 'graphql';
import { Headers, Response, type RequestInfo, type RequestInit } from 'node-fetch';
import { REQUEST_ID_HEADER } from '@newsfacts/platform/http';
import { DEADLINE_HEADER } from './deadline';

// The plan's shape, as far as it is read here (@apollo/query-planner's QueryPlan.d.ts).
interface FetchNode {
  kind: 'Fetch';
  serviceName: string;
  id?: string;
  operationKind: string;
}
interface FlattenNode {
  kind: 'Flatten';
  node: PlanNode;
}
interface ListNode {
  kind: 'Sequence' | 'Parallel';
  nodes: PlanNode[];
}
type PlanNode = FetchNode | FlattenNode | ListNode | { kind: 'Defer' | 'Condition' };

/** The subgraph of an entity fetch that nothing else in the plan refers to, or undefined. */
function movableEntityFetch(node: PlanNode): string | undefined {
  if (node.kind !== 'Flatten') return undefined;
  const fetch = (node as FlattenNode).node;
  if (fetch.kind !== 'Fetch') return undefined;
  const { serviceName, id, operationKind } = fetch as FetchNode;
  // A fetch with an id is one a deferred part of the plan waits for; it stays where it is.
  return id === undefined && operationKind === 'query' ? serviceName : undefined;
}

/** The subgraphs the last step of a sequence fetches entities from, at once. */
function lastStepSubgraphs(sequence: ListNode): Set<string> {
  const last = sequence.nodes.at(-1);
  const steps = last?.kind === 'Parallel' ? (last as ListNode).nodes : last ? [last] : [];
  return new Set(steps.map(movableEntityFetch).filter((name): name is string => name !== undefined));
}

/**
 * The plan with every entity fetch that runs in parallel with a sequence ending in a fetch to the
 * same subgraph moved into that sequence's last step. Flatten paths are relative to the results
 * a Sequence or Parallel is given, which are the same in both places, so they stay valid.
 */
export function mergeSameSubgraphFetches<Node>(node: Node): Node {
  const plan = node as PlanNode;
  if (plan.kind === 'Sequence') {
    return { ...plan, nodes: (plan as ListNode).nodes.map(mergeSameSubgraphFetches) } as Node;
  }
  if (plan.kind !== 'Parallel') return node;
  const branches = (plan as ListNode).nodes.map(mergeSameSubgraphFetches);
  for (let index = 0; index < branches.length; index++) {
    const subgraph = movableEntityFetch(branches[index]!);
    if (subgraph === undefined) continue;
    const target = branches.findIndex(
      (branch) => branch.kind === 'Sequence' && lastStepSubgraphs(branch as ListNode).has(subgraph),
    );
    if (target === -1) continue;
    const sequence = branches[target] as ListNode;
    const last = sequence.nodes.at(-1)!;
    const lastStep: ListNode = {
      kind: 'Parallel',
      nodes: [...(last.kind === 'Parallel' ? (last as ListNode).nodes : [last]), branches[index]!],
    };
    branches[target] = { ...sequence, nodes: [...sequence.nodes.slice(0, -1), lastStep] };
    branches.splice(index, 1);
    index--;
  }
  return (branches.length === 1 ? branches[0] : { ...plan, nodes: branches }) as Node;
}

// --- the wire ---

type Fetcher = (url: RequestInfo, init?: RequestInit) => Promise<Response>;

/** A query fetch as the gateway sends it: one query operation, perhaps with fragments. */
interface QueryFetch {
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
}

/** What a merged operation needs to know of one fetch's operation. */
interface ParsedQuery {
  operation: OperationDefinitionNode;
  fragments: FragmentDefinitionNode[];
  /** The keys its top-level fields answer under. */
  responseKeys: string[];
}

/** The body of a query fetch the gateway planned, or undefined for any other (a mutation, one with extensions). */
export function queryFetchOf(body: string): QueryFetch | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<QueryFetch> & { extensions?: unknown };
    if (typeof parsed.query !== 'string' || parsed.extensions !== undefined) return undefined;
    if (parsed.variables !== undefined && (typeof parsed.variables !== 'object' || parsed.variables === null))
      return undefined;
    if (!parsedQuery(parsed.query)) return undefined;
    return { query: parsed.query, operationName: parsed.operationName, variables: parsed.variables ?? {} };
  } catch {
    return undefined;
  }
}

const parsedQueries = new Map<string, ParsedQuery | null>();
const PARSED_QUERIES_KEPT = 1_000;

/** The query's parts, when it is one query operation of plain fields (and fragments). */
function parsedQuery(query: string): ParsedQuery | undefined {
  let parsed = parsedQueries.get(query);
  if (parsed === undefined) {
    parsed = null;
    try {
      const document = parse(query, { noLocation: true });
      const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
      const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
      const [operation] = operations;
      if (
        operations.length === 1 &&
        operation!.operation === 'query' &&
        operations.length + fragments.length === document.definitions.length &&
        operation!.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD)
      ) {
        parsed = {
          operation: operation!,
          fragments,
          responseKeys: (operation!.selectionSet.selections as FieldNode[]).map(
            (field) => field.alias?.value ?? field.name.value,
          ),
        };
      }
    } catch {
      parsed = null;
    }
    if (parsedQueries.size >= PARSED_QUERIES_KEPT) parsedQueries.clear();
    parsedQueries.set(query, parsed);
  }
  return parsed ?? undefined;
}

// In a merged operation, the i-th fetch's top-level fields answer under `_<i>_<key>`, and its
// variables and fragments are renamed `<name>_<i>`: no two fetches can meet on a name.
const partKey = (index: number, key: string) => `_${index}_${key}`;
const partName = (index: number, name: string) => `${name}_${index}`;

interface MergedQuery {
  query: string;
  operationName?: string;
}

const mergedQueries = new Map<string, MergedQuery>();

/** One operation asking for every fetch's fields, each under its own keys, variables and fragments. */
export function mergedQuery(queries: readonly string[]): MergedQuery {
  const cacheKey = queries.join('\u0000');
  const cached = mergedQueries.get(cacheKey);
  if (cached) return cached;
  const variables: VariableDefinitionNode[] = [];
  const fields: FieldNode[] = [];
  const fragments: FragmentDefinitionNode[] = [];
  queries.forEach((query, index) => {
    const { operation, fragments: own } = parsedQuery(query)!;
    const rename = {
      Variable: (node: VariableNode) => ({
        ...node,
        name: { kind: Kind.NAME, value: partName(index, node.name.value) },
      }),
      FragmentSpread: (node: FragmentSpreadNode) => ({
        ...node,
        name: { kind: Kind.NAME, value: partName(index, node.name.value) },
      }),
    };
    for (const definition of operation.variableDefinitions ?? []) variables.push(visit(definition, rename));
    for (const field of operation.selectionSet.selections as FieldNode[]) {
      const renamed = visit(field, rename);
      fields.push({
        ...renamed,
        alias: { kind: Kind.NAME, value: partKey(index, field.alias?.value ?? field.name.value) },
      });
    }
    for (const fragment of own) {
      const renamed = visit(fragment, rename);
      fragments.push({ ...renamed, name: { kind: Kind.NAME, value: partName(index, fragment.name.value) } });
    }
  });
  const first = parsedQuery(queries[0]!)!.operation;
  const operationName = first.name ? `${first.name.value}__merged` : undefined;
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        ...first,
        name: operationName ? { kind: Kind.NAME, value: operationName } : undefined,
        variableDefinitions: variables,
        directives: [],
        selectionSet: { kind: Kind.SELECTION_SET, selections: fields },
      },
      ...fragments,
    ],
  };
  const merged = { query: print(document), operationName };
  if (mergedQueries.size >= PARSED_QUERIES_KEPT) mergedQueries.clear();
  mergedQueries.set(cacheKey, merged);
  return merged;
}

/** The merged request body: every fetch's variables under their new names. */
export function mergedBody(fetches: readonly QueryFetch[]): string {
  const variables: Record<string, unknown> = {};
  fetches.forEach((fetch, index) => {
    for (const [name, value] of Object.entries(fetch.variables)) variables[partName(index, name)] = value;
  });
  const { query, operationName } = mergedQuery(fetches.map((fetch) => fetch.query));
  return JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) });
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ path?: Array<string | number> } & Record<string, unknown>>;
  extensions?: unknown;
}

/**
 * Each fetch's own answer out of the merged one, its errors going with it; undefined when the
 * answer cannot be split so: no data at all, or an error that names no part (one that
 * concerns the whole request), which would reach fetches it may have nothing to do with.
 */
export function splitAnswer(answer: GraphQLAnswer, queries: readonly string[]): GraphQLAnswer[] | undefined {
  const data = answer.data;
  if (!data || typeof data !== 'object') return undefined;
  const owners = new Map<string, { index: number; key: string }>();
  queries.forEach((query, index) => {
    for (const key of parsedQuery(query)!.responseKeys) owners.set(partKey(index, key), { index, key });
  });
  const parts: GraphQLAnswer[] = queries.map(() => ({ data: {} }));
  for (const [merged, { index, key }] of owners) parts[index]!.data![key] = data[merged] ?? null;
  for (const error of answer.errors ?? []) {
    const head = error.path?.[0];
    const owner = typeof head === 'string' ? owners.get(head) : undefined;
    if (!owner) return undefined;
    (parts[owner.index]!.errors ??= []).push({ ...error, path: [owner.key, ...error.path!.slice(1)] });
  }
  if (answer.extensions !== undefined) for (const part of parts) part.extensions = answer.extensions;
  return parts;
}

interface Waiting {
  init: RequestInit;
  resolve: (response: Response) => void;
  reject: (error: unknown) => void;
}

interface Group {
  url: RequestInfo;
  /** Distinct fetches, by body: identical ones (two requests asking for the same thing) are asked once. */
  parts: Map<string, { fetch: QueryFetch; waiting: Waiting[] }>;
}

export interface MergingOptions {
  /**
   * Merge the fetches of different gateway requests too, when they are made for the same caller
   * (the same forwarded principal): each still gets only its own part of the answer. The merged
   * fetch carries the earliest deadline among them, and the first one's request id and trace
   * context.
   */
  acrossRequests?: boolean;
  /** At most this many distinct fetches in one merged operation. */
  maxParts?: number;
  /** How long the first fetch of a group waits for others; 0: until the event loop's next turn. */
  windowMs?: number;
  onMerged?: (fetches: number) => void;
}

/** Headers that differ from one gateway request to the next without changing what a fetch may see. */
const PER_REQUEST_HEADERS = new Set([REQUEST_ID_HEADER, DEADLINE_HEADER, 'traceparent', 'tracestate']);

/**
 * A fetcher that merges the query fetches sent to one subgraph in the same turn of the event
 * loop. Only fetches with the same headers are merged (request id, principal and deadline; with
 * `acrossRequests`, the principal and every other header but the request's own), so the subgraph
 * sees one caller either way. A merged answer that concerns the whole request (an HTTP error, no
 * data, an error naming no part) is never handed to all: each fetch is then sent on its own.
 */
export function mergingFetcher(
  send: Fetcher,
  { acrossRequests = false, maxParts = 16, windowMs = 0, onMerged = () => {} }: MergingOptions = {},
): Fetcher {
  const groups = new Map<string, Group>();

  const sendEach = (url: RequestInfo, waiting: Waiting[]) => {
    for (const entry of waiting) send(url, entry.init).then(entry.resolve, entry.reject);
  };

  const flush = async (group: Group) => {
    const { url } = group;
    const parts = [...group.parts.values()];
    const waiting = parts.flatMap((part) => part.waiting);
    if (parts.length === 1) {
      // One fetch, perhaps asked for by several requests: sent as it came.
      if (waiting.length > 1) onMerged(waiting.length);
      return send(url, { ...waiting[0]!.init, headers: mergedHeaders(waiting) }).then(
        async (response) => {
          const raw = Buffer.from(await response.arrayBuffer());
          const headers = answerHeaders(response);
          for (const entry of waiting)
            entry.resolve(new Response(raw, { status: response.status, statusText: response.statusText, headers }));
        },
        (error: unknown) => {
          for (const entry of waiting) entry.reject(error);
        },
      );
    }
    const queries = parts.map((part) => part.fetch.query);
    let split: GraphQLAnswer[] | undefined;
    let response: Response | undefined;
    try {
      response = await send(url, {
        ...waiting[0]!.init,
        headers: mergedHeaders(waiting),
        body: mergedBody(parts.map((part) => part.fetch)),
      });
      const text = await response.text();
      if (response.ok) split = splitAnswer(JSON.parse(text) as GraphQLAnswer, queries);
    } catch {
      split = undefined;
    }
    if (!split || !response) return sendEach(url, waiting);
    onMerged(waiting.length);
    const headers = answerHeaders(response);
    parts.forEach((part, index) => {
      const body = JSON.stringify(split[index]);
      for (const entry of part.waiting)
        entry.resolve(new Response(body, { status: response.status, statusText: response.statusText, headers }));
    });
  };

  const answerHeaders = (response: Response) =>
    [...response.headers.entries()].filter(([name]) => name.toLowerCase() !== 'content-length');

  /** The first fetch's headers, with the earliest deadline of all. */
  const mergedHeaders = (waiting: Waiting[]) => {
    const headers = new Headers(waiting[0]!.init.headers);
    const deadlines = waiting
      .map((entry) => Number(new Headers(entry.init.headers).get(DEADLINE_HEADER)))
      .filter((deadline) => deadline > 0);
    if (deadlines.length) headers.set(DEADLINE_HEADER, String(Math.min(...deadlines)));
    return headers;
  };

  const groupKey = (url: RequestInfo, init: RequestInit) => {
    const headers = [...new Headers(init.headers).entries()];
    const kept = acrossRequests ? headers.filter(([name]) => !PER_REQUEST_HEADERS.has(name)) : headers;
    return `${String(url)}\u0000${JSON.stringify(kept)}`;
  };

  return (url, init = {}) => {
    const requestId = new Headers(init.headers).get(REQUEST_ID_HEADER);
    const body = typeof init.body === 'string' ? init.body : undefined;
    const fetch = requestId && body ? queryFetchOf(body) : undefined;
    if (!fetch || !body) return send(url, init);
    const key = groupKey(url, init);
    return new Promise<Response>((resolve, reject) => {
      let group = groups.get(key);
      if (!group || (group.parts.size >= maxParts && !group.parts.has(body))) {
        const opened: Group = { url, parts: new Map() };
        group = opened;
        groups.set(key, opened);
        const close = () => {
          if (groups.get(key) === opened) groups.delete(key);
          void flush(opened);
        };
        // The plan's parallel fetches all start before any I/O: one macrotask later they are all here.
        if (windowMs > 0) setTimeout(close, windowMs);
        else setImmediate(close);
      }
      let part = group.parts.get(body);
      if (!part) {
        part = { fetch, waiting: [] };
        group.parts.set(body, part);
      }
      part.waiting.push({ init, resolve, reject });
    });
  };
}
