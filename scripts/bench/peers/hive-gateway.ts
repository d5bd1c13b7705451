/**
 * Hive Gateway in front of our subgraphs, for `npm run bench:peers`: its runtime on the
 * supergraph, served by node:http, with a plugin that signs each subgraph request as our
 * gateway does, for the principal the benchmark names (common.ts). With PEER_CACHING=true its
 * response cache (shared by every caller: the peers know no sessions) and its in-flight
 * deduplication of whole requests are on.
 */
import http from 'node:http';
import { readPeerEnvironment, signatureHeaders, supergraphFor } from './common';

/** The little of Hive Gateway's API used here. */
interface HiveGateway {
  createGatewayRuntime(config: Record<string, unknown>): http.RequestListener & {
    graphqlEndpoint: string;
    dispose(): unknown;
  };
  LocalForageCacheStorage: new () => unknown;
}
interface FetchHookPayload {
  url: string;
  options: { body?: unknown; headers?: HeadersInit };
  setOptions(options: object): void;
}

// Imported by a specifier the type checker does not follow: Hive's types bring graphql-yoga's
// augmentation of graphql's GraphQLErrorExtensions, which would retype our gateway's errors too.
const specifier = '@graphql-hive/gateway';
const { createGatewayRuntime, LocalForageCacheStorage } = (await import(specifier)) as HiveGateway;

const env = readPeerEnvironment();
const subgraphAt = new Map(Object.entries(env.subgraphUrls).map(([name, url]) => [`${url}/graphql`, name]));

const signing = {
  onFetch({ url, options, setOptions }: FetchHookPayload) {
    const subgraph = subgraphAt.get(url);
    if (!subgraph) throw new Error(`no subgraph at ${url}`);
    if (options.body !== undefined && typeof options.body !== 'string')
      throw new Error('a subgraph request body that is not a string cannot be signed');
    const headers = new Headers(options.headers);
    for (const [name, value] of Object.entries(signatureHeaders(env, subgraph, options.body ?? '')))
      headers.set(name, value);
    setOptions({ ...options, headers: Object.fromEntries(headers) });
  },
};

const runtime = createGatewayRuntime({
  supergraph: supergraphFor(env.subgraphUrls),
  logging: 'error',
  // What its CLI gives it by default: in memory (an LRU) on Node.
  cache: new LocalForageCacheStorage(),
  plugins: () => [signing],
  ...(env.caching ? { responseCaching: { session: () => null }, inboundInflightRequestDeduplication: true } : {}),
});
const server = http.createServer(runtime);
server.listen(env.port, '127.0.0.1', () =>
  process.stdout.write(`Hive Gateway at http://127.0.0.1:${env.port}${runtime.graphqlEndpoint}\n`),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void Promise.resolve(runtime.dispose()).finally(() => process.exit(0));
  });
}
