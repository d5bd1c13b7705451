import { useEffect, useState } from 'react';
import type { TypedDocumentString } from '../gql/graphql';

// The explorer talks to the gateway only, with GraphQL only, through typed documents
// generated from the gateway's schema (graphql-codegen's client preset), sent by id.

const KEY_STORAGE = 'newsfacts.apiKey';

/** An API key the reader entered, kept for this browser tab only. */
export const apiKey = {
  get: () => sessionStorage.getItem(KEY_STORAGE) ?? '',
  set: (key: string) => (key ? sessionStorage.setItem(KEY_STORAGE, key) : sessionStorage.removeItem(KEY_STORAGE)),
};

export class RequestError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly requestId?: string,
    /** The HTTP status, when the gateway answered at all. */
    readonly status?: number,
    /** Seconds to wait before asking again, from a 429's Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

interface GraphQLResponse<Result> {
  data?: Result | null;
  errors?: Array<{ message: string; extensions?: { code?: string; requestId?: string } }>;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /**
   * The key to send in place of the one set in the header (apiKey): the import page sends its
   * write key with its own requests only, so the reading pages keep the reader's key.
   */
  key?: string;
}

export async function request<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
  { signal, key = apiKey.get() }: RequestOptions = {},
): Promise<Result> {
  // The bundle holds no document text, only ids: the gateway runs the documents of the explorer's
  // manifest (gql/persisted-documents.json, written by codegen) by id, and so does a gateway that
  // requires trusted documents.
  const documentId: unknown = document.__meta__?.hash;
  if (typeof documentId !== 'string') throw new RequestError('This page was built without its document ids.');
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ documentId, variables }),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new RequestError('The gateway could not be reached. Is it running?');
  }
  const retryAfter = Number(response.headers.get('retry-after')) || undefined;
  let body: GraphQLResponse<Result>;
  try {
    body = (await response.json()) as GraphQLResponse<Result>;
  } catch {
    throw new RequestError(
      `The gateway answered ${response.status} without a GraphQL body.`,
      undefined,
      undefined,
      response.status,
      retryAfter,
    );
  }
  const [first] = body.errors ?? [];
  if (!body.data) {
    throw new RequestError(
      first?.message ?? `The gateway answered ${response.status}.`,
      first?.extensions?.code,
      first?.extensions?.requestId,
      response.status,
      retryAfter,
    );
  }
  return body.data;
}

export type QueryState<Result> =
  { status: 'loading' } | { status: 'error'; error: RequestError } | { status: 'done'; data: Result };

/** Runs a query whenever its variables change; a newer run cancels an older one. */
export function useQuery<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
  skip = false,
): QueryState<Result> {
  const [state, setState] = useState<QueryState<Result>>({ status: 'loading' });
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (skip) return;
    const controller = new AbortController();
    setState({ status: 'loading' });
    request(document, variables, { signal: controller.signal }).then(
      (data) => setState({ status: 'done', data }),
      (error: unknown) => {
        if ((error as Error).name !== 'AbortError') {
          setState({ status: 'error', error: error instanceof RequestError ? error : new RequestError(String(error)) });
        }
      },
    );
    return () => controller.abort();
    // The variables are compared by value, through `key`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [document, key, skip]);
  return state;
}
