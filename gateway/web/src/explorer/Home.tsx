import { useEffect, useState } from 'react';
import { useQuery } from './client';
import { formatDate, words } from './format';
import { RecentEventsQuery, SearchQuery } from './queries';
import { Empty, Failure, Loading } from './states';

function useDebounced(value: string, ms: number) {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function SearchResults({ text }: { text: string }) {
  const state = useQuery(SearchQuery, { text });
  if (state.status === 'loading') return <Loading what="matches" />;
  if (state.status === 'error') return <Failure error={state.error} />;
  const { events, actors } = state.data;
  if (!events.nodes.length && !actors.nodes.length) {
    return <Empty>Nothing matches “{text}”. Try a place, a name or another spelling (Hladkov finds Gladkov).</Empty>;
  }
  return (
    <div className="results">
      <section aria-labelledby="event-results">
        <h2 id="event-results">Events</h2>
        {events.nodes.length ? (
          <ul className="cards">
            {events.nodes.map((event) => (
              <li key={event.slug}>
                <a href={`#/event/${event.slug}`}>{event.title}</a>
                <span className="muted">
                  {words(event.kind)} · {formatDate(event.startedAt, event.datePrecision)}
                  {event.location && ` · ${event.location.name}`}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <Empty>No event matches.</Empty>
        )}
      </section>
      <section aria-labelledby="actor-results">
        <h2 id="actor-results">People and organisations</h2>
        {actors.nodes.length ? (
          <ul className="cards">
            {actors.nodes.map((actor) => (
              <li key={actor.slug}>
                <a href={`#/actor/${actor.slug}`}>{actor.name}</a>
                <span className="muted">{actor.description}</span>
              </li>
            ))}
          </ul>
        ) : (
          <Empty>No person or organisation matches.</Empty>
        )}
      </section>
    </div>
  );
}

function RecentEvents() {
  const state = useQuery(RecentEventsQuery, {});
  if (state.status === 'loading') return <Loading what="events" />;
  if (state.status === 'error') return <Failure error={state.error} />;
  if (!state.data.events.nodes.length) return <Empty>No events yet. Load the seed with `pnpm db:seed`.</Empty>;
  return (
    <section aria-labelledby="recent">
      <h2 id="recent">Latest events</h2>
      <ul className="cards">
        {state.data.events.nodes.map((event) => (
          <li key={event.slug}>
            <a href={`#/event/${event.slug}`}>{event.title}</a>
            <span className="muted">
              {formatDate(event.startedAt, event.datePrecision)}
              {event.location && ` · ${event.location.name}`}
              {event.contestedClaims &&
                event.contestedClaims.length > 0 &&
                ` · ${event.contestedClaims.length} contested claim(s)`}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Home() {
  const [text, setText] = useState('');
  const query = useDebounced(text.trim(), 250);
  return (
    <>
      <form className="search" role="search" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="search">Find an event or an actor</label>
        <input
          id="search"
          type="search"
          placeholder="Belgorod, Kremlin, Gladkov…"
          value={text}
          maxLength={200}
          autoComplete="off"
          onChange={(event) => setText(event.target.value)}
        />
      </form>
      {query ? <SearchResults text={query} /> : <RecentEvents />}
    </>
  );
}
