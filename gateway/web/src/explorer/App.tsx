import { useEffect, useState } from 'react';
import { ActorPage } from './ActorPage';
import { apiKey } from './client';
import { EventPage } from './EventPage';
import { Home } from './Home';

/** Routes live in the hash (#/event/<slug>, #/actor/<slug>), so any static server can serve the page. */
function useRoute() {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const update = () => {
      setHash(window.location.hash);
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  const [, kind, slug] = /^#\/(event|actor)\/([\w-]{1,200})$/.exec(hash) ?? [];
  return { kind, slug };
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
  const { kind, slug } = useRoute();
  return (
    <>
      <header className="site">
        <a href="#/" className="brand">
          newsfacts <span>fact explorer</span>
        </a>
        <nav>
          <a href="/graphiql">GraphiQL</a>
          <KeyForm />
        </nav>
      </header>
      <main>
        {kind === 'event' && slug ? (
          <EventPage slug={slug} />
        ) : kind === 'actor' && slug ? (
          <ActorPage slug={slug} />
        ) : (
          <Home />
        )}
      </main>
    </>
  );
}
