import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { printSchema as printFederationSchema } from '@apollo/federation-internals';
import { buildSchema, lexicographicSortSchema, parse, printSchema } from 'graphql';
import { repoRoot } from '@newsfacts/platform/config';
import { SUBGRAPHS } from '@newsfacts/platform/service-config';

export const supergraphPath = path.join(repoRoot, 'gateway/supergraph.graphql');
/** The schema clients see (no federation machinery): for typed clients and for partners. */
export const apiSchemaPath = path.join(repoRoot, 'gateway/api-schema.graphql');

export interface Composition {
  supergraphSdl: string | null;
  apiSchemaSdl: string | null;
  errors: string[];
  hints: string[];
}

/**
 * Composes every services/<name>/schema.graphql into a supergraph. The URLs written into it
 * are the local defaults; the gateway replaces them with its configured ones.
 */
export function composeSupergraph(): Composition {
  const subgraphs = Object.entries(SUBGRAPHS).map(([name, { defaultPort }]) => ({
    name,
    url: `http://127.0.0.1:${defaultPort}/graphql`,
    typeDefs: parse(fs.readFileSync(path.join(repoRoot, 'services', name, 'schema.graphql'), 'utf8')),
  }));
  const result = composeServices(subgraphs);
  const hints = (result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`);
  if (result.errors)
    return { supergraphSdl: null, apiSchemaSdl: null, errors: result.errors.map((error) => error.message), hints };
  // Through SDL text: composition may load another copy of graphql-js than this module's.
  const apiSchema = lexicographicSortSchema(buildSchema(printFederationSchema(result.schema.toAPISchema())));
  return {
    supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`,
    apiSchemaSdl: `${printSchema(apiSchema).trimEnd()}\n`,
    errors: [],
    hints,
  };
}
