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
  reportedIn: { title: string; publisher?: string | null; publishedAt: string; publishedAtPrecision?: string | null };
}

/** One statement: who, what (their words when quoted), when, how, and where it was reported. */
export function Statement({ statement }: { statement: StatementView }) {
  const { speaker } = statement;
  const role = speaker?.affiliations[0];
  return (
    <article className={`statement stance-${statement.stance.toLowerCase()}`}>
      {speaker && (
        <header>
          <a href={`#/actor/${speaker.slug}`} className="speaker">
            {speaker.name}
          </a>
          {role && (
            <span className="muted">
              {' '}
              · {role.title}, {role.organization.name}
            </span>
          )}
          <span className="stance">{STANCE_LABEL[statement.stance] ?? statement.stance}</span>
        </header>
      )}
      {statement.quote && <blockquote>“{statement.quote}”</blockquote>}
      {statement.paraphrase && <p className="paraphrase">{statement.paraphrase}</p>}
      <footer className="muted">
        {formatDate(statement.saidAt, statement.saidAtPrecision as never)} ·{' '}
        {statement.channelDetail ?? CHANNEL_LABEL[statement.channel] ?? statement.channel}
        {statement.outlet && <> ({statement.outlet.name})</>} · reported in <cite>{statement.reportedIn.title}</cite>
        {statement.reportedIn.publisher && <>, {statement.reportedIn.publisher}</>},{' '}
        {formatDate(statement.reportedIn.publishedAt, statement.reportedIn.publishedAtPrecision as never)}
      </footer>
    </article>
  );
}
