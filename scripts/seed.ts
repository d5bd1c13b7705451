// Imports the seed packages into a running federation, through its imports service, as
// `npm start` does: for a deployment (the compose `seed` service, the Kubernetes seed Job).
// Safe to run again: a package imported before comes back all UNCHANGED.
//   node --import tsx scripts/seed.ts     IMPORTS_URL, SUBGRAPH_SIGNING_SECRET from the environment
// Exit codes: 0 seeded, 1 the import did not complete, 2 bad configuration.
import { ConfigError } from '@newsfacts/platform/config';
import { loadSubgraphUrls, signingSecret } from '@newsfacts/platform/service-config';
import { importSeed } from './lib/seed';

const READY_TIMEOUT_MS = 120_000;

async function waitForImports(readyUrl: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const ready = await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline)
      throw new Error(`the imports service was not ready at ${readyUrl} within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

try {
  const secret = signingSecret.safeParse(process.env.SUBGRAPH_SIGNING_SECRET);
  if (!secret.success) throw new ConfigError(`SUBGRAPH_SIGNING_SECRET ${secret.error.issues[0]!.message}`);
  const importsUrl = loadSubgraphUrls().imports;
  await waitForImports(new URL('/readyz', importsUrl).href);
  const counts = await importSeed(importsUrl, secret.data);
  console.log(
    `seed: ${Object.entries(counts)
      .map(([outcome, count]) => `${count} ${outcome}`)
      .join(', ')}`,
  );
} catch (error) {
  console.error(`seed: ${(error as Error).message}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
