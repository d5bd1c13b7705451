import { useEffect, useState } from 'react';
import { ActorPage } from './ActorPage';
import { apiKey } from './client';
import { EventPage } from './EventPage';
import { Home } from './Home';
import { ImportPage } from './ImportPage';
import { SourcePage } from './SourcePage';

/**
 * Routes live in the hash (#/event/<slug>, #/actor/<slug>, #/source/<slug>, and
 * #/source/<slug>/statement/<id> for a statement in its source; #/import to import a fact package),
 * so any static server can serve the page. A new page starts at the top; choosing another
 * statement of the same source does not.
 */
function parseRoute(hash: string): { kind?: string; slug?: string; statement?: string } {
  if (hash === '#/import') return { kind: 'import' };
  const [, kind, slug, statement] =
    /^#\/(event|actor|source)\/([\w-]{1,200})(?:\/statement\/([\w-]{1,200}))?$/.exec(hash) ?? [];
  return { kind, slug, statement };
}

function useRoute() {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    let page = parseRoute(window.location.hash);
    const update = () => {
      const next = parseRoute(window.location.hash);
      setHash(window.location.hash);
      if (next.kind !== page.kind || next.slug !== page.slug) window.scrollTo(0, 0);
      page = next;
    };
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return parseRoute(hash);
}

function KeyForm() {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(apiKey.get());
  if (!open) {
    return (
      <button type="button" className="link" onClick={() => setOpen(true)}>
        {apiKey.get() ? 'API key set' : 'API key'}
      </button>
    );
  }
  return (
    <form
      className="key-form"
      onSubmit={(event) => {
        event.preventDefault();
        apiKey.set(value.trim());
        setOpen(false);
        window.location.reload();
      }}
    >
      <label htmlFor="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        value={value}
        placeholder="nfk_…"
        onChange={(event) => setValue(event.target.value)}
      />
      <button type="submit">Use</button>
    </form>
  );
}

export function App() {
  const { kind, slug, statement } = useRoute();
  return (
    <>
      <header className="site">
        <a href="#/" className="brand">
          newsfacts <span>fact explorer</span>
        </a>
        <nav>
          <a href="#/import" aria-current={kind === 'import' ? 'page' : undefined}>
            Import
          </a>
          <a href="/graphiql">GraphiQL</a>
          <KeyForm />
        </nav>
      </header>
      <main>
        {kind === 'event' && slug ? (
          <EventPage slug={slug} />
        ) : kind === 'actor' && slug ? (
          <ActorPage slug={slug} />
        ) : kind === 'source' && slug ? (
          <SourcePage slug={slug} statement={statement} />
        ) : kind === 'import' ? (
          <ImportPage />
        ) : (
          <Home />
        )}
      </main>
    </>
  );
}
