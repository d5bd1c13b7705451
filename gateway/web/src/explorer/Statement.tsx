import { CHANNEL_LABEL, formatDate, STANCE_LABEL } from './format';

export interface StatementView {
  id: string;
  stance: string;
  quote?: string | null;
  paraphrase?: string | null;
  saidAt?: string | null;
  saidAtPrecision?: string | null;
  channel: string;
  channelDetail?: string | null;
  speaker?: {
    slug: string;
    name: string;
    affiliations: Array<{ title: string; organization: { name: string } }>;
  } | null;
  outlet?: { name: string } | null;
  /** Shown when given: a page that lists statements of many claims says which one each is about. */
  claim?: { text: string; contested: boolean; event?: { slug: string; title: string } | null };
  /** Left out on the source's own page. */
  reportedIn?: {
    slug: string;
    title: string;
    publisher?: string | null;
    publishedAt: string;
    publishedAtPrecision?: string | null;
  };
}

/** Where a statement stands in its source: the source page, opened at the statement. */
export const statementInSource = (sourceSlug: string, statementId: string) =>
  `#/source/${sourceSlug}/statement/${statementId}`;

/** One statement: who, what (their words when quoted), when, how, and where it was reported. */
export function Statement({ statement }: { statement: StatementView }) {
  const { speaker, claim, reportedIn } = statement;
  const role = speaker?.affiliations[0];
  return (
    <article className={`statement stance-${statement.stance.toLowerCase()}`}>
      <header>
        {speaker ? (
          <a href={`#/actor/${speaker.slug}`} className="speaker">
            {speaker.name}
          </a>
        ) : (
          <span className="muted">A speaker who cannot be shown right now</span>
        )}
        {role && (
          <span className="muted">
            {' '}
            · {role.title}, {role.organization.name}
          </span>
        )}
        <span className="stance">{STANCE_LABEL[statement.stance] ?? statement.stance}</span>
      </header>
      {claim && (
        <p className="claim">
          {claim.text}
          {claim.contested && <span className="tag contested">contested</span>}
          {claim.event && (
            <span className="muted">
              {' '}
              — about <a href={`#/event/${claim.event.slug}`}>{claim.event.title}</a>
            </span>
          )}
        </p>
      )}
      {statement.quote && <blockquote>“{statement.quote}”</blockquote>}
      {statement.paraphrase && <p className="paraphrase">{statement.paraphrase}</p>}
      <footer className="muted">
        {formatDate(statement.saidAt, statement.saidAtPrecision as never)} ·{' '}
        {statement.channelDetail ?? CHANNEL_LABEL[statement.channel] ?? statement.channel}
        {statement.outlet && <> ({statement.outlet.name})</>}
        {reportedIn && (
          <>
            {' '}
            · reported in{' '}
            <a href={statementInSource(reportedIn.slug, statement.id)} title="This statement in its source">
              <cite>{reportedIn.title}</cite>
            </a>
            {reportedIn.publisher && <>, {reportedIn.publisher}</>},{' '}
            {formatDate(reportedIn.publishedAt, reportedIn.publishedAtPrecision as never)}
          </>
        )}
      </footer>
    </article>
  );
}
