import { useQuery } from './client';
import { formatDate, STANCE_LABEL, words } from './format';
import { ActorPageQuery } from './queries';
import { statementInSource } from './Statement';
import { Empty, Failure, Loading, Unavailable } from './states';

const year = (value: string | null | undefined) => (value ? value.slice(0, 4) : '');

export function ActorPage({ slug }: { slug: string }) {
  const state = useQuery(ActorPageQuery, { slug });
  if (state.status === 'loading') return <Loading what="the actor" />;
  if (state.status === 'error') return <Failure error={state.error} />;
  const { actor } = state.data;
  if (!actor)
    return (
      <Empty>
        There is no person or organisation “{slug}”. <a href="#/">Search again</a>.
      </Empty>
    );

  return (
    <article className="actor">
      <header className="page-header">
        <p className="kicker">
          {actor.kind === 'PERSON' ? 'person' : words(actor.organizationType ?? 'organisation')}
          {actor.country && ` · ${actor.country}`}
        </p>
        <h1>{actor.name}</h1>
        {actor.aliases.length > 0 && <p className="meta">Also: {actor.aliases.join(' · ')}</p>}
        <p className="summary">{actor.description}</p>
      </header>

      {(actor.affiliations.length > 0 || actor.members.length > 0) && (
        <section aria-labelledby="affiliations">
          <h2 id="affiliations">Positions</h2>
          <ul className="cards">
            {actor.affiliations.map((affiliation) => (
              <li key={`${affiliation.title}:${affiliation.organization.slug}`}>
                {affiliation.title},{' '}
                <a href={`#/actor/${affiliation.organization.slug}`}>{affiliation.organization.name}</a>
                <span className="muted">
                  {affiliation.since || affiliation.until
                    ? ` ${year(affiliation.since)}–${year(affiliation.until)}`
                    : ''}
                  {affiliation.current ? '' : ' (former)'}
                </span>
              </li>
            ))}
            {actor.members.map((member) => (
              <li key={`${member.title}:${member.member.slug}`}>
                <a href={`#/actor/${member.member.slug}`}>{member.member.name}</a>, {member.title}
                {!member.current && <span className="muted"> (former)</span>}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="said">
        <h2 id="said">What {actor.kind === 'PERSON' ? 'they' : 'it'} said</h2>
        {actor.statements === null ? (
          <Unavailable what="Statements" />
        ) : actor.statements.length === 0 ? (
          <Empty>No statement by {actor.name} in the sources so far.</Empty>
        ) : (
          <ul className="said">
            {actor.statements.map((statement) => (
              <li key={statement.id}>
                <p>
                  <span className={`stance-badge stance-${statement.stance.toLowerCase()}`}>
                    {STANCE_LABEL[statement.stance]}
                  </span>{' '}
                  {statement.claim.text}
                  {statement.claim.contested && <span className="tag contested">contested</span>}
                </p>
                {statement.quote && <blockquote>“{statement.quote}”</blockquote>}
                <p className="muted">
                  {formatDate(statement.saidAt, statement.saidAtPrecision)} · about{' '}
                  {statement.claim.event ? (
                    <a href={`#/event/${statement.claim.event.slug}`}>{statement.claim.event.title}</a>
                  ) : (
                    'an event'
                  )}{' '}
                  · reported in{' '}
                  <a
                    href={statementInSource(statement.reportedIn.slug, statement.id)}
                    title="This statement in its source"
                  >
                    <cite>{statement.reportedIn.title}</cite>
                  </a>
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      {actor.participations === null && <Unavailable what="Events" />}
      {actor.participations && actor.participations.length > 0 && (
        <section aria-labelledby="events">
          <h2 id="events">Events</h2>
          <ul className="cards">
            {actor.participations.map((participation) => (
              <li key={`${participation.role}:${participation.event.slug}`}>
                <a href={`#/event/${participation.event.slug}`}>{participation.event.title}</a>
                <span className="muted">
                  {words(participation.role)} ·{' '}
                  {formatDate(participation.event.startedAt, participation.event.datePrecision)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}
