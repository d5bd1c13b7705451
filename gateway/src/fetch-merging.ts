// Fewer subgraph fetches per query, in two halves.
//
// The plan. Apollo's planner fetches an entity type as soon as its keys are known, so a query that
// reaches actors by two paths (the raid's participants, known after the events fetch, and its
// speakers, known only after the statements fetch) fetches the actors subgraph twice: once beside
// the statements fetch, once after it. `mergeSameSubgraphFetches` moves such an early entity fetch
// down to run beside the later one of the same subgraph. The answer's critical path does not
// grow: the later fetch was on it anyway, and the early one never was.
//
// The wire. `mergingFetcher` sends entity fetches that one gateway request makes to one subgraph
// in the same turn of the event loop as one GraphQL operation, each `_entities` under an alias,
// and hands each its own part of the answer. One request also lets the subgraph's DataLoaders
// load both sets of keys in one query. Across requests (for one caller) the same is done with the
// fetches of every request in that turn: under load, many requests' entity fetches cost the
// subgraph one HTTP request and one query per table instead of one each.
import {
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
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

interface EntityFetch {
  query: string;
  operationName?: string;
  variables: Record<string, unknown> & { representations: unknown[] };
}

/** The body of an entity fetch as the gateway sends it, or undefined for any other fetch. */
export function entityFetchOf(body: string): EntityFetch | undefined {
  if (!body.includes('_entities')) return undefined;
  try {
    const parsed = JSON.parse(body) as Partial<EntityFetch> & { extensions?: unknown };
    if (typeof parsed.query !== 'string' || parsed.extensions !== undefined) return undefined;
    if (!Array.isArray(parsed.variables?.representations)) return undefined;
    return entityOperation(parsed.query) ? (parsed as EntityFetch) : undefined;
  } catch {
    return undefined;
  }
}

const parsedQueries = new Map<string, OperationDefinitionNode | null>();
const PARSED_QUERIES_KEPT = 1_000;

/** The query's only operation when it is `query(…$representations…) { _entities(representations: $representations) … }`. */
function entityOperation(query: string): OperationDefinitionNode | undefined {
  let operation = parsedQueries.get(query);
  if (operation === undefined) {
    operation = null;
    const document = parse(query, { noLocation: true });
    const [only, ...others] = document.definitions;
    if (others.length === 0 && only?.kind === Kind.OPERATION_DEFINITION && only.operation === 'query') {
      const [field, ...more] = only.selectionSet.selections;
      const argument = field?.kind === Kind.FIELD ? field.arguments?.[0] : undefined;
      if (
        more.length === 0 &&
        field?.kind === Kind.FIELD &&
        field.name.value === '_entities' &&
        !field.alias &&
        field.arguments?.length === 1 &&
        argument?.value.kind === Kind.VARIABLE &&
        argument.value.name.value === 'representations'
      ) {
        operation = only;
      }
    }
    if (parsedQueries.size >= PARSED_QUERIES_KEPT) parsedQueries.clear();
    parsedQueries.set(query, operation);
  }
  return operation ?? undefined;
}

/** The alias the i-th fetch's `_entities` answers under in a merged operation, and its variable. */
const partName = (index: number) => `_entities_${index}`;

interface MergedQuery {
  query: string;
  operationName?: string;
}

const mergedQueries = new Map<string, MergedQuery>();

/** One operation asking for every fetch's entities, each under its own alias and variable. */
export function mergedQuery(queries: readonly string[]): MergedQuery {
  const cacheKey = queries.join('\u0000');
  const cached = mergedQueries.get(cacheKey);
  if (cached) return cached;
  const variables = new Map<string, VariableDefinitionNode>();
  const fields: FieldNode[] = [];
  queries.forEach((query, index) => {
    const operation = entityOperation(query)!;
    for (const definition of operation.variableDefinitions ?? []) {
      const name =
        definition.variable.name.value === 'representations' ? partName(index) : definition.variable.name.value;
      if (!variables.has(name)) {
        variables.set(name, {
          ...definition,
          variable: { ...definition.variable, name: { kind: Kind.NAME, value: name } },
        });
      }
    }
    const field = operation.selectionSet.selections[0] as FieldNode;
    fields.push(
      visit(field, {
        Variable: (node) =>
          node.name.value === 'representations' ? { ...node, name: { kind: Kind.NAME, value: partName(index) } } : node,
      }),
    );
    fields[index] = { ...fields[index]!, alias: { kind: Kind.NAME, value: partName(index) } };
  });
  const first = entityOperation(queries[0]!)!;
  const operationName = first.name ? `${first.name.value}__merged` : undefined;
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        ...first,
        name: operationName ? { kind: Kind.NAME, value: operationName } : undefined,
        variableDefinitions: [...variables.values()],
        selectionSet: { kind: Kind.SELECTION_SET, selections: fields },
      },
    ],
  };
  const merged = { query: print(document), operationName };
  if (mergedQueries.size >= PARSED_QUERIES_KEPT) mergedQueries.clear();
  mergedQueries.set(cacheKey, merged);
  return merged;
}

/** The merged request body, or undefined when the fetches' shared variables disagree. */
export function mergedBody(fetches: readonly EntityFetch[]): string | undefined {
  const variables: Record<string, unknown> = {};
  for (const [index, fetch] of fetches.entries()) {
    for (const [name, value] of Object.entries(fetch.variables)) {
      if (name === 'representations') {
        variables[partName(index)] = value;
      } else if (name in variables) {
        // One gateway request's fetches carry the client's own variables; never seen to differ.
        if (JSON.stringify(variables[name]) !== JSON.stringify(value)) return undefined;
      } else {
        variables[name] = value;
      }
    }
  }
  const { query, operationName } = mergedQuery(fetches.map((fetch) => fetch.query));
  return JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) });
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ path?: Array<string | number> } & Record<string, unknown>>;
  extensions?: unknown;
}

/** Each fetch's own answer out of the merged one: its alias as `_entities`, its errors and every error without a part. */
export function splitAnswer(answer: GraphQLAnswer, parts: number): GraphQLAnswer[] {
  const names = Array.from({ length: parts }, (_, index) => partName(index));
  return names.map((name) => {
    const errors = (answer.errors ?? []).flatMap((error) => {
      const head = error.path?.[0];
      if (head === name) return [{ ...error, path: ['_entities', ...error.path!.slice(1)] }];
      return typeof head === 'string' && names.includes(head) ? [] : [error];
    });
    return {
      data: answer.data == null ? answer.data : { _entities: answer.data[name] ?? null },
      ...(errors.length ? { errors } : {}),
      ...(answer.extensions === undefined ? {} : { extensions: answer.extensions }),
    };
  });
}

interface Waiting {
  init: RequestInit;
  resolve: (response: Response) => void;
  reject: (error: unknown) => void;
}

interface Group {
  url: RequestInfo;
  /** Distinct fetches, by body: identical ones (two requests asking for the same entities) are asked once. */
  parts: Map<string, { fetch: EntityFetch; waiting: Waiting[] }>;
}

export interface MergingOptions {
  /**
   * Merge the entity fetches of different gateway requests too, when they are made for the same
   * caller (the same forwarded principal): each still gets only its own part of the answer. The
   * merged fetch carries the earliest deadline among them, and the first one's request id and
   * trace context.
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
 * A fetcher that merges the entity fetches sent to one subgraph in the same turn of the event
 * loop. Only fetches with the same headers are merged (request id, principal and deadline; with
 * `acrossRequests`, the principal and every other header but the request's own), so the subgraph
 * sees one caller either way.
 */
export function mergingFetcher(
  send: Fetcher,
  { acrossRequests = false, maxParts = 16, windowMs = 0, onMerged = () => {} }: MergingOptions = {},
): Fetcher {
  const groups = new Map<string, Group>();

  const flush = async (group: Group) => {
    const { url } = group;
    const parts = [...group.parts.values()];
    const waiting = parts.flatMap((part) => part.waiting);
    const body = parts.length > 1 ? mergedBody(parts.map((part) => part.fetch)) : group.parts.keys().next().value;
    if (body === undefined) {
      for (const entry of waiting) send(url, entry.init).then(entry.resolve, entry.reject);
      return;
    }
    if (waiting.length > 1) onMerged(waiting.length);
    try {
      const response = await send(url, { ...waiting[0]!.init, headers: mergedHeaders(waiting), body });
      const raw = Buffer.from(await response.arrayBuffer());
      let answers: string[] | undefined;
      if (parts.length > 1) {
        try {
          answers = splitAnswer(JSON.parse(raw.toString('utf8')) as GraphQLAnswer, parts.length).map((part) =>
            JSON.stringify(part),
          );
        } catch {
          answers = undefined; // not JSON: every fetch gets the answer as it came, to fail on as it would have
        }
      }
      const headers = [...response.headers.entries()].filter(([name]) => name.toLowerCase() !== 'content-length');
      parts.forEach((part, index) => {
        for (const entry of part.waiting)
          entry.resolve(
            new Response(answers ? answers[index] : raw, {
              status: response.status,
              statusText: response.statusText,
              headers,
            }),
          );
      });
    } catch (error) {
      for (const entry of waiting) entry.reject(error);
    }
  };

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
    const fetch = requestId && body ? entityFetchOf(body) : undefined;
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
