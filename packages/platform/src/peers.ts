// A subgraph asking another subgraph: to check that a record it is about to point at exists
// (a statement's speaker), or that nothing still points at a record it is about to delete. It
// signs each request as the gateway does, so the peer applies the same checks; it forwards the
// writer's identity with read access only, unless the request is itself part of a write (a
// merge's references following it), when the writer's own scopes go along.
import { GraphQLError } from 'graphql';
import { forwardChangeNotices } from './change-notices';
import { codedError, ErrorCode } from './errors';
import type { Logger } from './logger';
import type { SubgraphName } from './service-config';
import { READ_PRIMARY_HEADER, signRequest, type ForwardedPrincipal } from './signing';
import { inClientSpan, SpanStatusCode } from './tracing';
import { FieldErrorCode, fieldError, type FieldError } from './writes';

export interface PeerClient {
  /** Runs a query on `peer`; an unreachable or failing peer is SERVICE_UNAVAILABLE, retryable. */
  query<Data>(
    peer: SubgraphName,
    query: string,
    variables: Record<string, unknown>,
    asking: ForwardedPrincipal | null,
    options?: { asWriter?: boolean },
  ): Promise<Data>;
}

/**
 * A peer that answered with errors: SERVICE_UNAVAILABLE to whoever asked, like any failing peer,
 * but carrying the codes the peer gave, for a caller that can act on one (an expired cursor).
 */
export class PeerAnsweredWithErrors extends GraphQLError {
  constructor(
    message: string,
    readonly peerCodes: string[],
  ) {
    super(message, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } });
  }
}

export interface PeerClientOptions {
  urls: Record<SubgraphName, string>;
  signingSecret: string;
  logger: Logger;
  /** How long to wait for a peer before refusing the write. */
  timeoutMs?: number;
}

export function createPeerClient(options: PeerClientOptions): PeerClient {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const unavailable = (peer: SubgraphName) =>
    codedError(
      ErrorCode.SERVICE_UNAVAILABLE,
      `The ${peer} service, which owns records this change refers to, cannot be reached; nothing was written. Try again shortly.`,
    );
  return {
    async query<Data>(
      peer: SubgraphName,
      query: string,
      variables: Record<string, unknown>,
      asking: ForwardedPrincipal | null,
      { asWriter = false }: { asWriter?: boolean } = {},
    ): Promise<Data> {
      const body = JSON.stringify({ query, variables });
      const principal: ForwardedPrincipal =
        asking && asWriter
          ? asking
          : asking
            ? { ...asking, scopes: ['READ'] }
            : { kind: 'anonymous', scopes: ['READ'] };
      let answer: {
        data?: Data | null;
        errors?: Array<{ message: string; extensions?: { code?: unknown } }>;
        extensions?: Record<string, unknown>;
      };
      try {
        answer = await inClientSpan(`peer ${peer}`, { 'subgraph.name': peer }, async (span, traceHeaders) => {
          const response = await fetch(options.urls[peer], {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...traceHeaders,
              // A check of what exists must see the latest writes, not a replica's lagging copy.
              [READ_PRIMARY_HEADER]: '1',
              ...signRequest(options.signingSecret, peer, principal, body),
            },
            body,
            signal: AbortSignal.timeout(timeoutMs),
          });
          span.setAttribute('http.response.status_code', response.status);
          if (!response.ok) {
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw new Error(`HTTP ${response.status}`);
          }
          return (await response.json()) as typeof answer;
        });
      } catch (error) {
        options.logger.warn({ peer, error: (error as Error).message }, 'a peer subgraph did not answer');
        throw unavailable(peer);
      }
      // What a write there changed is this request's change too: the gateway hears of it with this answer.
      forwardChangeNotices(answer.extensions);
      if (answer.errors?.length || !answer.data) {
        options.logger.warn({ peer, errors: answer.errors }, 'a peer subgraph answered with errors');
        const codes = (answer.errors ?? []).map((error) => String(error.extensions?.code ?? ''));
        throw new PeerAnsweredWithErrors(unavailable(peer).message, codes);
      }
      return answer.data;
    },
  };
}

/** A reference to a record another service owns, and where the input gave it. */
export interface ForeignReference {
  field: Array<string | number>;
  id: string;
}

/** The owners of the records writes refer to across services. */
export const OWNERS = {
  actor: { peer: 'actors', typename: 'Actor', what: 'actor' },
  event: { peer: 'events', typename: 'Event', what: 'event' },
  claim: { peer: 'statements', typename: 'Claim', what: 'claim' },
} as const;
export type Owner = (typeof OWNERS)[keyof typeof OWNERS];

/**
 * Asks the service that owns the records whether each one exists: an unknown one is an
 * UNKNOWN_REFERENCE error at its field; an owner that cannot be asked refuses the write
 * (SERVICE_UNAVAILABLE) before anything is written. Gives each id as the owner answers it, so a
 * merged actor's id becomes its survivor's.
 */
export async function confirmForeign(
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  owner: Owner,
  references: ForeignReference[],
): Promise<{ ids: string[]; errors: FieldError[] }> {
  if (!references.length) return { ids: [], errors: [] };
  const asked = [...new Set(references.map((reference) => reference.id))];
  const data = await peers.query<{ _entities: Array<{ id: string } | null> }>(
    owner.peer,
    `query($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on ${owner.typename} { id } }
    }`,
    { representations: asked.map((id) => ({ __typename: owner.typename, id })) },
    principal,
  );
  const answered = new Map(asked.map((id, index) => [id, data._entities[index]?.id]));
  const errors = references.flatMap((reference) =>
    answered.get(reference.id)
      ? []
      : [
          fieldError(
            reference.field,
            FieldErrorCode.UNKNOWN_REFERENCE,
            `The ${owner.peer} service knows no ${owner.what} with the id ${reference.id}.`,
          ),
        ],
  );
  return { ids: references.map((reference) => answered.get(reference.id) ?? reference.id), errors };
}
