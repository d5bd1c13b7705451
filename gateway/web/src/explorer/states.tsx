import type { ReactNode } from 'react';
import type { RequestError } from './client';

// Loading, empty and error states, designed once and used everywhere.

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

export function Failure({ error, retry }: { error: RequestError; retry?: () => void }) {
  const needsKey = error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN';
  return (
    <div className="state state-error" role="alert">
      <strong>{needsKey ? 'This gateway needs an API key.' : 'Something went wrong.'}</strong>
      <p>{error.message}</p>
      {error.requestId && <p className="muted">Quote request id {error.requestId} when you report it.</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
