// Builds the search index anew, in the running imports service, and waits until it is done:
//
//   npm run search:rebuild
//
// Against `npm start` it needs nothing more (the secret is in the data folder); against a
// deployment, IMPORTS_URL (or IMPORTS_PORT) and SUBGRAPH_SIGNING_SECRET as the services have
// them. It asks the service holding the index (which may be the embedded database, open in that
// process only) rather than writing the index itself. Searches keep answering meanwhile.
// Exit codes: 0 rebuilt, 1 the rebuild failed, 2 bad configuration.
import { ConfigError } from '@newsfacts/platform/config';
import { loadSubgraphUrls, signingSecret } from '@newsfacts/platform/service-config';
import { withLocalSigningSecret } from './lib/local-secret';
import { requestSearchRebuild } from './lib/search-rebuild';

try {
  const env = withLocalSigningSecret(process.env);
  const secret = signingSecret.safeParse(env.SUBGRAPH_SIGNING_SECRET);
  if (!secret.success) throw new ConfigError(`SUBGRAPH_SIGNING_SECRET ${secret.error.issues[0]!.message}`);
  const { documents, seconds } = await requestSearchRebuild(loadSubgraphUrls(env).imports, secret.data);
  console.log(`search index rebuilt: ${documents} documents in ${seconds.toFixed(1)} s`);
} catch (error) {
  console.error(`search:rebuild: ${(error as Error).message}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
