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

/** A part of the page whose service did not answer; the rest of the page still shows. */
export function Unavailable({ what }: { what: string }) {
  return (
    <div className="state state-unavailable" role="status">
      {what} cannot be shown right now: the service that holds them did not answer. Reload to try again.
    </div>
  );
}

/** An error the gateway answered; a page that knows better what it means gives its own title and advice. */
export function Failure({
  error,
  retry,
  title,
  children,
}: {
  error: RequestError;
  retry?: () => void;
  title?: string;
  children?: ReactNode;
}) {
  const needsKey = error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN';
  return (
    <div className="state state-error" role="alert">
      <strong>{title ?? (needsKey ? 'This gateway needs an API key.' : 'Something went wrong.')}</strong>
      <p>{error.message}</p>
      {children}
      {error.requestId && <p className="muted">Quote request id {error.requestId} when you report it.</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
