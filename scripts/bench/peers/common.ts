/**
 * What the peer gateways of `npm run bench:peers` share: how they learn where the subgraphs are,
 * and how they sign a subgraph request exactly as our gateway does (gateway/src/server.ts), so
 * that no subgraph is asked to take an unsigned one. A peer checks no API keys: it vouches for
 * an anonymous reader, or, when the benchmark tells it (PEER_PRINCIPAL), for the benchmark's own
 * write key, which only the benchmark sends to it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@newsfacts/platform/config';
import { encodePrincipal, PRINCIPAL_HEADER, SIGNATURE_HEADER, signature } from '@newsfacts/platform/signing';

/** The environment a peer gateway process reads. */
export interface PeerEnv {
  port: number;
  /** Subgraph name → `http://host:port` (no /graphql). */
  subgraphUrls: Record<string, string>;
  signingSecret: string;
  /** Turn on the gateway's own response cache and in-flight deduplication of whole requests, where it has them. */
  caching: boolean;
  /**
   * Who every subgraph request is signed for (encodePrincipal's form): the benchmark's own API
   * key, as our gateway would vouch for it, or by default an anonymous reader.
   */
  principal?: string;
}

export function peerEnvironment(env: PeerEnv): NodeJS.ProcessEnv {
  return {
    PEER_PORT: String(env.port),
    PEER_SUBGRAPH_URLS: JSON.stringify(env.subgraphUrls),
    SUBGRAPH_SIGNING_SECRET: env.signingSecret,
    PEER_CACHING: env.caching ? 'true' : 'false',
    ...(env.principal ? { PEER_PRINCIPAL: env.principal } : {}),
  };
}

export function readPeerEnvironment(env: NodeJS.ProcessEnv = process.env): PeerEnv {
  const { PEER_PORT, PEER_SUBGRAPH_URLS, SUBGRAPH_SIGNING_SECRET, PEER_CACHING, PEER_PRINCIPAL } = env;
  if (!PEER_PORT || !PEER_SUBGRAPH_URLS || !SUBGRAPH_SIGNING_SECRET)
    throw new Error('PEER_PORT, PEER_SUBGRAPH_URLS and SUBGRAPH_SIGNING_SECRET must be set');
  return {
    port: Number(PEER_PORT),
    subgraphUrls: JSON.parse(PEER_SUBGRAPH_URLS) as Record<string, string>,
    signingSecret: SUBGRAPH_SIGNING_SECRET,
    caching: PEER_CACHING === 'true',
    principal: PEER_PRINCIPAL || ANONYMOUS_READER,
  };
}

/**
 * The peers authenticate nobody: unless told otherwise, every caller is what our gateway makes of
 * a caller without a key, an anonymous reader.
 */
export const ANONYMOUS_READER = encodePrincipal({ kind: 'anonymous', scopes: ['READ'] });

/** The headers our gateway adds to a request for `subgraph` with this exact body, for the peer's principal. */
export function signatureHeaders(env: PeerEnv, subgraph: string, body: string): Record<string, string> {
  const principal = env.principal ?? ANONYMOUS_READER;
  return {
    [PRINCIPAL_HEADER]: principal,
    [SIGNATURE_HEADER]: signature(env.signingSecret, subgraph, principal, body),
  };
}

/** The supergraph with each subgraph's URL replaced by where it runs now (the file names fixed ports). */
export function supergraphFor(subgraphUrls: Record<string, string>): string {
  const sdl = readFileSync(path.join(repoRoot, 'gateway/supergraph.graphql'), 'utf8');
  return sdl.replace(/@join__graph\(name: "(\w+)", url: "[^"]*"\)/g, (whole, name: string) =>
    subgraphUrls[name] ? `@join__graph(name: "${name}", url: "${subgraphUrls[name]}/graphql")` : whole,
  );
}
