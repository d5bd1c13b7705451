// The signing secret of a federation run on this machine by `npm start`, kept in its data folder
// (owner-only), so that local commands that talk to a subgraph directly (`npm run search:rebuild`)
// can sign their requests as the gateway does. A deployment sets SUBGRAPH_SIGNING_SECRET itself.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@newsfacts/platform/config';
import { newSigningSecret } from './federation';

const secretPath = (env: NodeJS.ProcessEnv) => path.resolve(repoRoot, env.DATA_DIR || '.data', 'signing-secret');

/** The environment with SUBGRAPH_SIGNING_SECRET set: as given, else the local one (made on first use). */
export function withLocalSigningSecret(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.SUBGRAPH_SIGNING_SECRET) return env;
  const file = secretPath(env);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${newSigningSecret()}\n`, { mode: 0o600, flag: 'wx' });
  }
  return { ...env, SUBGRAPH_SIGNING_SECRET: fs.readFileSync(file, 'utf8').trim() };
}
