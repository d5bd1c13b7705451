import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GraphQLSchema } from 'graphql';
import { ConfigError } from '@newsfacts/platform/config';
import type { Logger } from '@newsfacts/platform/logger';
import { ManifestError, readManifest } from './manifest';
import type { FirstPartyDocument } from './store';

/**
 * The manifests that ship with the gateway, by client. graphql-codegen writes the explorer's
 * (codegen.ts, client preset with persistedDocuments) beside its typed documents, at every
 * `npm start`, `npm test` or `npx pnpm@12.4.2 generate`, and in the Docker build.
 */
export const FIRST_PARTY_MANIFESTS: Readonly<Record<string, string>> = {
  explorer: fileURLToPath(new URL('../../web/src/gql/persisted-documents.json', import.meta.url)),
};

/**
 * Reads and checks every first-party manifest. One that is missing (the pages are not generated)
 * is only a warning, as the pages themselves are; one that does not check out stops the gateway,
 * since its client would fail on every request.
 */
export function loadFirstPartyDocuments(
  schema: GraphQLSchema,
  maxTokens: number,
  logger: Logger,
): FirstPartyDocument[] {
  return Object.entries(FIRST_PARTY_MANIFESTS).flatMap(([client, file]) => {
    if (!fs.existsSync(file)) {
      logger.warn(`no manifest for the first-party client ${client} (run \`npx pnpm@12.4.2 generate\`)`);
      return [];
    }
    try {
      return readManifest(JSON.parse(fs.readFileSync(file, 'utf8')), schema, maxTokens).map((document) => ({
        ...document,
        client,
      }));
    } catch (error) {
      const reason = error instanceof ManifestError || error instanceof SyntaxError ? error.message : String(error);
      throw new ConfigError(
        `the ${client} manifest at ${file} is not valid (run \`npx pnpm@12.4.2 generate\`): ${reason}`,
      );
    }
  });
}
