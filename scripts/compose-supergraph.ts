// Composes the subgraph schemas into gateway/supergraph.graphql.
//   pnpm compose           write the supergraph
//   pnpm compose --check   exit 1 when the committed supergraph is stale
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@newsfacts/platform/config';
import { composeSupergraph, supergraphPath } from './lib/compose';

const check = process.argv.includes('--check');
const { supergraphSdl, errors, hints } = composeSupergraph();
for (const hint of hints) console.warn(`hint: ${hint}`);
if (!supergraphSdl) {
  for (const error of errors) console.error(`error: ${error}`);
  process.exit(1);
}
const relative = path.relative(repoRoot, supergraphPath);
const current = fs.existsSync(supergraphPath) ? fs.readFileSync(supergraphPath, 'utf8') : '';
if (check) {
  if (current !== supergraphSdl) {
    console.error(`${relative} is stale: run pnpm compose and commit it`);
    process.exit(1);
  }
  console.log(`${relative} is up to date`);
} else if (current === supergraphSdl) {
  console.log(`${relative} unchanged`);
} else {
  fs.writeFileSync(supergraphPath, supergraphSdl);
  console.log(`wrote ${relative}`);
}
