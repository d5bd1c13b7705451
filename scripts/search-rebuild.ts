// Builds the search index anew, in the running imports service, and waits until it is done:
//
//   npm run search:rebuild
//
// Against `npm start` it needs nothing more (the secret is in the data folder); against a
// deployment, IMPORTS_URL (or IMPORTS_PORT) and SUBGRAPH_SIGNING_SECRET as the services have
// them. It asks the service holding the index (which may be the embedded database, open in that
// process only) rather than writing the index itself. Searches keep answering meanwhile.
// Exit codes: 0 rebuilt, 1 the rebuild failed, 2 bad configuration.
import http from 'node:http';
import { ConfigError } from '@newsfacts/platform/config';
import { loadSubgraphUrls, signingSecret } from '@newsfacts/platform/service-config';
import { signRequest, type ForwardedPrincipal } from '@newsfacts/platform/signing';
import { withLocalSigningSecret } from './lib/local-secret';

/** An operator at the machine, not a partner's key: what the signature vouches for. */
const OPERATOR: ForwardedPrincipal = { kind: 'key', keyId: 'operator', scopes: ['READ', 'WRITE', 'ADMIN'] };

/** A POST with no time limit (fetch gives up on headers after 300 s; a large graph takes longer). */
function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

try {
  const env = withLocalSigningSecret(process.env);
  const secret = signingSecret.safeParse(env.SUBGRAPH_SIGNING_SECRET);
  if (!secret.success) throw new ConfigError(`SUBGRAPH_SIGNING_SECRET ${secret.error.issues[0]!.message}`);
  const importsUrl = loadSubgraphUrls(env).imports;
  const body = JSON.stringify({ query: 'mutation { rebuildSearchIndex { documents seconds } }' });
  const headers = { 'content-type': 'application/json', ...signRequest(secret.data, 'imports', OPERATOR, body) };
  const response = await post(importsUrl, headers, body).catch((error: Error) => {
    throw new Error(
      `the imports service at ${importsUrl} cannot be reached (${error.message}); is the federation running?`,
    );
  });
  let answer: {
    data?: { rebuildSearchIndex: { documents: number; seconds: number } } | null;
    errors?: Array<{ message: string }>;
  } = {};
  try {
    answer = JSON.parse(response.text) as typeof answer;
  } catch {
    // Said below with the status.
  }
  if (!answer.data?.rebuildSearchIndex) {
    throw new Error(answer.errors?.map((error) => error.message).join('; ') || `HTTP ${response.status}`);
  }
  const { documents, seconds } = answer.data.rebuildSearchIndex;
  console.log(`search index rebuilt: ${documents} documents in ${seconds.toFixed(1)} s`);
} catch (error) {
  console.error(`search:rebuild: ${(error as Error).message}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
