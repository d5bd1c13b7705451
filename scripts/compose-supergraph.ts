// Composes the subgraph schemas into gateway/supergraph.graphql (what the gateway loads) and
// gateway/api-schema.graphql (what clients see).
//   pnpm compose           write both
//   pnpm compose --check   exit 1 when a committed file is stale
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@newsfacts/platform/config';
import { apiSchemaPath, composeSupergraph, supergraphPath } from './lib/compose';

const check = process.argv.includes('--check');
const { supergraphSdl, apiSchemaSdl, errors, hints } = composeSupergraph();
for (const hint of hints) console.warn(`hint: ${hint}`);
if (!supergraphSdl || !apiSchemaSdl) {
  for (const error of errors) console.error(`error: ${error}`);
  process.exit(1);
}
let stale = false;
for (const [file, content] of [
  [supergraphPath, supergraphSdl],
  [apiSchemaPath, apiSchemaSdl],
] as const) {
  const relative = path.relative(repoRoot, file);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current === content) {
    console.log(`${relative} is up to date`);
  } else if (check) {
    console.error(`${relative} is stale: run pnpm compose and commit it`);
    stale = true;
  } else {
    fs.writeFileSync(file, content);
    console.log(`wrote ${relative}`);
  }
}
if (stale) process.exit(1);
