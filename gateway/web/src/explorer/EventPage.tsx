import { useQuery } from './client';
import { AFFIRMING, formatDate, words } from './format';
import { EventPageQuery } from './queries';
import { Statement, type StatementView } from './Statement';
import { Empty, Failure, Loading, Unavailable } from './states';

interface ClaimView {
  id: string;
  text: string;
  aspect: string;
  question: string;
  statements: StatementView[];
}

interface Position {
  key: string;
  heading: string;
  denial: boolean;
  statements: StatementView[];
}

/**
 * Contested claims as competing positions on one question: each rival claim with those who
 * assert it, and, where someone denies a claim, the denial as a position of its own.
 */
export function positionsByQuestion(claims: ClaimView[]) {
  const questions = new Map<string, { question: string; aspect: string; positions: Position[] }>();
  for (const claim of claims) {
    const group = questions.get(claim.question) ?? { question: claim.question, aspect: claim.aspect, positions: [] };
    questions.set(claim.question, group);
    const affirming = claim.statements.filter((statement) => AFFIRMING.has(statement.stance));
    const rejecting = claim.statements.filter((statement) => !AFFIRMING.has(statement.stance));
    group.positions.push({ key: `${claim.id}:for`, heading: claim.text, denial: false, statements: affirming });
    if (rejecting.length) {
      group.positions.push({
        key: `${claim.id}:against`,
        heading: `Denied: ${claim.text}`,
        denial: true,
        statements: rejecting,
      });
    }
  }
  return [...questions.values()];
}

interface TimelineEntry {
  slug: string;
  title: string;
  startedAt?: string | null;
  datePrecision: string;
  label: string;
}

export function EventPage({ slug }: { slug: string }) {
  const state = useQuery(EventPageQuery, { slug });
  if (state.status === 'loading') return <Loading what="the event" />;
  if (state.status === 'error') return <Failure error={state.error} />;
  const { event } = state.data;
  if (!event)
    return (
      <Empty>
        There is no event “{slug}”. <a href="#/">Search again</a>.
      </Empty>
    );

  const roles = new Map<string, typeof event.participants>();
  for (const participant of event.participants)
    roles.set(participant.role, [...(roles.get(participant.role) ?? []), participant]);

  const timeline: TimelineEntry[] = [
    { ...event, label: 'this event' },
    ...(event.parent ? [{ ...event.parent, label: 'part of' }] : []),
    ...event.subEvents.map((sub) => ({ ...sub, label: 'part of this event' })),
    ...event.relatedEvents
      .filter((related) => related.kind !== 'PART_OF' && related.kind !== 'HAS_PART')
      .map((related) => ({
        ...related.event,
        label: `this event ${words(related.kind)} it${related.note ? ` — ${related.note}` : ''}`,
      })),
  ].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));

  return (
    <article className="event">
      <header className="page-header">
        <p className="kicker">{words(event.kind)}</p>
        <h1>{event.title}</h1>
        <p className="meta">
          <time dateTime={event.startedAt ?? undefined}>{formatDate(event.startedAt, event.datePrecision)}</time>
          {event.endedAt ? ` – ${formatDate(event.endedAt, event.datePrecision)}` : ' · ongoing in the report'}
          {event.location && (
            <>
              {' · '}
              {event.location.name}
              {event.location.region &&
                event.location.region !== event.location.name &&
                `, ${event.location.region}`}, {event.location.country}
            </>
          )}
        </p>
        <p className="summary">{event.summary}</p>
      </header>

      {event.figures.length > 0 && (
        <section aria-labelledby="figures">
          <h2 id="figures">Figures</h2>
          <ul className="figures">
            {event.figures.map((figure) => (
              <li key={`${figure.metric}:${figure.description}`}>
                <strong>
                  {figure.qualifier === 'AT_LEAST' ? '≥ ' : figure.qualifier === 'APPROXIMATE' ? '≈ ' : ''}
                  {figure.value}
                </strong>{' '}
                {words(figure.metric)}
                <span className="muted"> — {figure.description}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="contested">
        <h2 id="contested">Contested claims</h2>
        {event.contestedClaims === null ? (
          <Unavailable what="Claims" />
        ) : event.contestedClaims.length === 0 ? (
          <Empty>No one contradicts anyone about this event in the sources so far.</Empty>
        ) : (
          positionsByQuestion(event.contestedClaims).map((group) => (
            <div className="question" key={group.question}>
              <h3>
                {group.question} <span className="tag">{words(group.aspect)}</span>
              </h3>
              <div className="positions">
                {group.positions.map((position) => (
                  <section
                    className={`position${position.denial ? ' denial' : ''}`}
                    key={position.key}
                    aria-label={position.heading}
                  >
                    <h4>{position.heading}</h4>
                    {position.statements.length ? (
                      position.statements.map((statement) => <Statement key={statement.id} statement={statement} />)
                    ) : (
                      <p className="muted">No one in the sources takes this position outright.</p>
                    )}
                  </section>
                ))}
              </div>
            </div>
          ))
        )}
      </section>

      <section aria-labelledby="participants">
        <h2 id="participants">Who took part</h2>
        <dl className="roles">
          {[...roles.entries()].map(([role, participants]) => (
            <div key={role}>
              <dt>{words(role)}</dt>
              <dd>
                {participants.map((participant, index) => (
                  <span key={participant.actor?.slug ?? index}>
                    {index > 0 && ', '}
                    {participant.actor ? (
                      <a href={`#/actor/${participant.actor.slug}`}>{participant.actor.name}</a>
                    ) : (
                      <span className="muted">an actor that cannot be shown right now</span>
                    )}
                    {participant.note && <span className="muted"> ({participant.note})</span>}
                  </span>
                ))}
              </dd>
            </div>
          ))}
        </dl>
      </section>

      <section aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        <ol className="timeline">
          {timeline.map((entry) => (
            <li key={`${entry.slug}:${entry.label}`} className={entry.slug === event.slug ? 'current' : undefined}>
              <time>{formatDate(entry.startedAt, entry.datePrecision as never)}</time>{' '}
              {entry.slug === event.slug ? (
                <strong>{entry.title}</strong>
              ) : (
                <a href={`#/event/${entry.slug}`}>{entry.title}</a>
              )}
              <span className="muted"> — {entry.label}</span>
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
