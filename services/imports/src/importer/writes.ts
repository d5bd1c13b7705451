// The importer's writes: the owning services' own mutations, many to a request as aliased
// fields, so that each record is validated, checked across services, attributed and logged as
// any write is. What a service refuses becomes that record's errors; a service that cannot be
// reached stops the import (ServiceUnreachable), to be completed by running it again.
import { ErrorCode } from '@newsfacts/platform/errors';
import { fieldError, FieldErrorCode, type FieldError } from '@newsfacts/platform/writes';
import type { FactSubgraphName } from '@newsfacts/platform/service-config';
import { ServiceUnreachable, type GraphClient, type GraphError } from './graph-client';

export interface Mutation {
  service: FactSubgraphName;
  /** e.g. createStatement */
  field: string;
  /** e.g. CreateStatementInput */
  inputType: string;
  /** The payload's record field, e.g. statement. */
  recordField: string;
}

export interface WriteResult {
  record: { id: string; slug?: string | null } | null;
  /** At paths of the mutation's input, e.g. ["input", "speakerId"]. */
  errors: FieldError[];
}

const CHUNK = 25;
// Errors that say nothing about the record, only that the write could not be made now.
const RETRYABLE = new Set<string>([ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.INTERNAL_SERVER_ERROR, 'GATEWAY_TIMEOUT']);

function errorOf(service: FactSubgraphName, error: GraphError): FieldError {
  const code = error.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
  if (RETRYABLE.has(code)) throw new ServiceUnreachable(service, error.message);
  return fieldError(
    ['input'],
    code === ErrorCode.FORBIDDEN ? FieldErrorCode.FORBIDDEN : FieldErrorCode.INVALID,
    error.message,
  );
}

/** Runs one mutation per input, in order; answers in the same order. */
export async function writeAll(graph: GraphClient, mutation: Mutation, inputs: unknown[]): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (let start = 0; start < inputs.length; start += CHUNK) {
    results.push(...(await writeChunk(graph, mutation, inputs.slice(start, start + CHUNK))));
  }
  return results;
}

async function writeChunk(graph: GraphClient, mutation: Mutation, inputs: unknown[]): Promise<WriteResult[]> {
  const declarations = inputs.map((_input, index) => `$i${index}: ${mutation.inputType}!`).join(', ');
  const fields = inputs
    .map(
      (_input, index) =>
        `w${index}: ${mutation.field}(input: $i${index}) { ${mutation.recordField} { id ${
          mutation.recordField === 'claim' || mutation.recordField === 'statement' ? '' : 'slug'
        } } errors { field code message } }`,
    )
    .join(' ');
  const variables = Object.fromEntries(inputs.map((input, index) => [`i${index}`, input]));
  const answer = await graph.request<Record<string, { errors: FieldError[] } & Record<string, { id: string } | null>>>(
    mutation.service,
    `mutation Import(${declarations}) { ${fields} }`,
    variables,
  );
  if (!answer.data) {
    // A refusal of one field (FORBIDDEN) voids the whole answer, payloads being non-null: ask
    // again one by one, so that each record gets its own outcome.
    if (inputs.length > 1) {
      const one: WriteResult[] = [];
      for (const input of inputs) one.push(...(await writeChunk(graph, mutation, [input])));
      return one;
    }
    return [{ record: null, errors: answer.errors.map((error) => errorOf(mutation.service, error)) }];
  }
  return inputs.map((_input, index) => {
    const payload = answer.data![`w${index}`];
    if (!payload) {
      const errors = answer.errors.filter((error) => error.path?.[0] === `w${index}`);
      return { record: null, errors: errors.map((error) => errorOf(mutation.service, error)) };
    }
    return { record: payload[mutation.recordField] ?? null, errors: payload.errors };
  });
}
