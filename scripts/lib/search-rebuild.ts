// Asks the imports service to build the search index anew and waits for the answer: for
// `npm run search:rebuild` and the search benchmark.
import http from 'node:http';
import { signRequest, type ForwardedPrincipal } from '@newsfacts/platform/signing';

/** An operator at the machine, not a partner's key: what the signature vouches for. */
const OPERATOR: ForwardedPrincipal = { kind: 'key', keyId: 'operator', scopes: ['READ', 'WRITE', 'ADMIN'] };

export interface RebuildAnswer {
  documents: number;
  seconds: number;
}

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

/** Rebuilds the index in the imports service at `importsUrl` (its /graphql), signed with `signingSecret`. */
export async function requestSearchRebuild(importsUrl: string, signingSecret: string): Promise<RebuildAnswer> {
  const body = JSON.stringify({ query: 'mutation { rebuildSearchIndex { documents seconds } }' });
  const headers = { 'content-type': 'application/json', ...signRequest(signingSecret, 'imports', OPERATOR, body) };
  const response = await post(importsUrl, headers, body).catch((error: Error) => {
    throw new Error(
      `the imports service at ${importsUrl} cannot be reached (${error.message}); is the federation running?`,
    );
  });
  let answer: { data?: { rebuildSearchIndex: RebuildAnswer } | null; errors?: Array<{ message: string }> } = {};
  try {
    answer = JSON.parse(response.text) as typeof answer;
  } catch {
    // Said below with the status.
  }
  if (!answer.data?.rebuildSearchIndex) {
    throw new Error(answer.errors?.map((error) => error.message).join('; ') || `HTTP ${response.status}`);
  }
  return answer.data.rebuildSearchIndex;
}
