/**
 * Stock @apollo/gateway in front of our subgraphs, for `npm run bench:peers`: the supergraph,
 * Apollo Server's standalone HTTP server and RemoteGraphQLDataSource with its default fetcher,
 * which only adds the signature headers our subgraphs require, for the principal the benchmark
 * names (common.ts). No cache of any kind: Apollo Gateway has no response cache or in-flight
 * sharing of its own.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { readPeerEnvironment, signatureHeaders, supergraphFor } from './common';

const env = readPeerEnvironment();

class SignedDataSource extends RemoteGraphQLDataSource {
  constructor(
    private readonly subgraph: string,
    url: string,
  ) {
    super({ url });
    const unsigned = this.fetcher;
    // The body is only known here, after willSendRequest: Apollo stringifies it just before fetching.
    this.fetcher = ((url: string, init: { headers?: Record<string, string>; body?: string }) =>
      unsigned(url, {
        ...init,
        headers: { ...init.headers, ...signatureHeaders(env, this.subgraph, init.body ?? '') },
      })) as typeof unsigned;
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: supergraphFor(env.subgraphUrls),
  buildService: ({ name, url }) => new SignedDataSource(name, url!),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: env.port, host: '127.0.0.1' } });
process.stdout.write(`stock @apollo/gateway at ${url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.stop().finally(() => process.exit(0)));
}
