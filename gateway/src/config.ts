import { z } from 'zod';
import { logLevel, parseConfig, port } from '@newsfacts/platform/config';
import { SUBGRAPHS, type SubgraphName } from '@newsfacts/platform/service-config';

export interface GatewayConfig {
  host: string;
  port: number;
  logLevel: z.infer<typeof logLevel>;
  /** Where each subgraph answers, by its name in the supergraph. */
  subgraphUrls: Record<SubgraphName, string>;
  /** Longest wait for one subgraph fetch before the gateway answers without it. */
  subgraphTimeoutMs: number;
}

const httpUrl = z.string().url().refine((url) => /^https?:\/\//.test(url), { message: 'must be an http(s) URL' });

/**
 * `GATEWAY_PORT`, `HOST`, `LOG_LEVEL`, `SUBGRAPH_TIMEOUT_MS`, and `<NAME>_URL` per subgraph
 * (by default http://127.0.0.1:<NAME>_PORT/graphql, so moving a subgraph's port moves both ends).
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const schema = z.object({
    GATEWAY_PORT: port(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: logLevel,
    SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5_000),
    ...Object.fromEntries(
      Object.keys(SUBGRAPHS).flatMap((name) => [
        [`${name.toUpperCase()}_URL`, httpUrl.optional()],
        [`${name.toUpperCase()}_PORT`, port(SUBGRAPHS[name as SubgraphName].defaultPort)],
      ]),
    ),
  });
  const parsed = parseConfig(schema, env) as Record<string, unknown>;
  const subgraphUrls = Object.fromEntries(
    Object.keys(SUBGRAPHS).map((name) => {
      const prefix = name.toUpperCase();
      return [name, (parsed[`${prefix}_URL`] as string | undefined) ?? `http://127.0.0.1:${parsed[`${prefix}_PORT`]}/graphql`];
    }),
  ) as Record<SubgraphName, string>;
  return {
    host: parsed.HOST as string,
    port: parsed.GATEWAY_PORT as number,
    logLevel: parsed.LOG_LEVEL as GatewayConfig['logLevel'],
    subgraphUrls,
    subgraphTimeoutMs: parsed.SUBGRAPH_TIMEOUT_MS as number,
  };
}
