// What a request changed, told to whoever sent it. Every write a subgraph logs (recordChange) is
// also noted in the request's scope, and the answer to a mutation carries the notes in its
// `extensions`: the gateway's response cache drops what those records were in before the
// mutation's answer leaves, without waiting for the change log. A subgraph that writes in
// another on the same request's behalf (a merge's references following it) passes that one's
// notes on in its own answer.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { currentRequestScope } from './metrics';

/** The extension a mutation's answer carries its change notices in. */
export const CHANGE_NOTICES_EXTENSION = 'newsfactsChanges';

/** One entry of a service's change log, as far as a cache needs it. */
export interface ChangeNotice {
  entityType: string;
  entityId: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'MERGE';
  fields: string[];
  survivorId?: string | null;
}

/** Notes a change for the request it is made on behalf of (nothing outside a request). */
export function noticeChange(notice: ChangeNotice): void {
  currentRequestScope()?.changes.push(notice);
}

/** The notices an answer carries, or undefined when it carries none (not even an empty list). */
export function changeNoticesIn(extensions: Record<string, unknown> | undefined): ChangeNotice[] | undefined {
  const notices = extensions?.[CHANGE_NOTICES_EXTENSION];
  if (!Array.isArray(notices)) return undefined;
  return notices.filter(
    (notice): notice is ChangeNotice =>
      typeof notice === 'object' &&
      notice !== null &&
      typeof (notice as ChangeNotice).entityType === 'string' &&
      typeof (notice as ChangeNotice).entityId === 'string' &&
      typeof (notice as ChangeNotice).operation === 'string' &&
      Array.isArray((notice as ChangeNotice).fields),
  );
}

/** Passes on the notices of a peer's answer, as changes of this request. */
export function forwardChangeNotices(extensions: Record<string, unknown> | undefined): void {
  for (const notice of changeNoticesIn(extensions) ?? []) noticeChange(notice);
}

/** Puts the request's notices in the answer to every mutation, an empty list when it wrote nothing. */
export const reportChangeNotices: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ operation, response }) {
        if (operation?.operation !== 'mutation' || response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        result.extensions = { ...result.extensions, [CHANGE_NOTICES_EXTENSION]: currentRequestScope()?.changes ?? [] };
      },
    };
  },
};
