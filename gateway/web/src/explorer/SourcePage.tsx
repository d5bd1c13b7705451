import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import type { SourcePageQuery as SourcePageData } from '../gql/graphql';
import { useQuery } from './client';
import { AFFIRMING, formatDate, STANCE_LABEL } from './format';
import { SourcePageQuery } from './queries';
import { innermost, layoutText, type Layout, type Run } from './segments';
import { Statement, statementInSource } from './Statement';
import { Empty, Failure, Loading } from './states';

type Source = NonNullable<SourcePageData['source']>;
type SourceStatement = Source['statements'][number];

/**
 * The most statements the page gets for one source. Source.statements takes `first` (at most 100)
 * and no `after`, so there is no next page to ask for: the page shows the first 100, in the
 * order of the text, and says so when it gets that many, rather than offer a "more" that could
 * only fetch the same 100 again.
 */
const LISTED_AT_MOST = 100;

/** The card that shows the chosen passage's statements, inside the text after its paragraph. */
const CARD_ID = 'passage-statements';
const aboutId = (statementId: string) => `about-${statementId}`;

/** "Vyacheslav Gladkov asserts: Security forces are continuing…", for a highlight's title and description. */
const describe = (statement: SourceStatement) =>
  `${statement.speaker?.name ?? 'A speaker who cannot be shown right now'} ${
    STANCE_LABEL[statement.stance] ?? statement.stance
  }: ${statement.claim.text}`;

/** Only web addresses are links: a source's url is checked on write, but not every record was written through it. */
function webAddress(url: string | null | undefined) {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : null;
  } catch {
    return null;
  }
}

export function SourcePage({ slug, statement }: { slug: string; statement?: string }) {
  const state = useQuery(SourcePageQuery, { slug });
  if (state.status === 'loading') return <Loading what="the source" />;
  if (state.status === 'error') return <Failure error={state.error} />;
  const { source } = state.data;
  if (!source)
    return (
      <Empty>
        There is no source “{slug}”. <a href="#/">Search again</a>.
      </Empty>
    );
  return <SourceView source={source} selected={statement} />;
}

function SourceView({ source, selected }: { source: Source; selected?: string }) {
  const { text, statements } = source;
  const layout = useMemo(() => (text == null ? null : layoutText(text, statements)), [text, statements]);
  const byId = useMemo(() => new Map(statements.map((statement) => [statement.id, statement])), [statements]);
  const root = useRef<HTMLElement>(null);

  // Bring the chosen statement into view with its card, the passage first when both do not fit:
  // on arriving from another page at a statement, and on choosing a passage near the bottom.
  useEffect(() => {
    if (!selected) return;
    const passage = root.current?.querySelector(`[data-statements~="${CSS.escape(selected)}"]`);
    if (!passage) return;
    const margin = 16;
    const top = passage.getBoundingClientRect().top;
    const bottom = (document.getElementById(CARD_ID) ?? passage).getBoundingClientRect().bottom;
    let delta = Math.max(0, bottom - (window.innerHeight - margin));
    if (top - delta < margin) delta = top - margin;
    if (delta) window.scrollBy(0, delta);
  }, [selected]);

  const chosen = selected ? byId.get(selected) : undefined;
  const unplaced = layout ? layout.unplaced.map((id) => byId.get(id)!) : statements;
  const placedCount = statements.length - unplaced.length;
  const address = webAddress(source.url);

  return (
    <article className="source" ref={root}>
      <header className="page-header">
        <p className="kicker">source · {source.language}</p>
        <h1>{source.title}</h1>
        <p className="meta">
          {source.publisher ?? 'Publisher not named'} ·{' '}
          <time dateTime={source.publishedAt}>{formatDate(source.publishedAt, source.publishedAtPrecision)}</time> ·{' '}
          {address ? (
            <a href={address.href} rel="noreferrer">
              the original at {address.hostname}
            </a>
          ) : (
            'no web address'
          )}
        </p>
        {source.note && <p className="summary">{source.note}</p>}
      </header>

      <section aria-labelledby="source-text">
        <h2 id="source-text">Text</h2>
        {selected && !chosen && (
          <Empty>
            The statement in this page’s address is not among the statements listed for this source.{' '}
            <a href={`#/source/${source.slug}`}>Show the source</a>.
          </Empty>
        )}
        {text != null && layout ? (
          <>
            <p className="muted legend">
              {statements.length === 0
                ? 'No statement reported in this source so far.'
                : `${placedCount} of the ${statements.length} statements reported here are highlighted where the text carries them: green where the speaker asserts or supports the claim, red where they deny or dispute it, the quoted words in italics. Choose a passage to see who said it and what they claim.`}
            </p>
            <div className="source-text" lang={source.language}>
              {renderText(text, layout, {
                slug: source.slug,
                selected: chosen ? selected : undefined,
                byId,
                card: chosen && layout.placed.has(chosen.id) && (
                  <PassageCard key={CARD_ID} slug={source.slug} chosen={chosen} layout={layout} byId={byId} />
                ),
              })}
            </div>
            {source.contentSha256 && (
              <p className="muted hash">
                SHA-256 of the text: <code>{source.contentSha256}</code>
              </p>
            )}
          </>
        ) : (
          <Empty>
            The text of this source is not stored, so its statements cannot be shown in place
            {source.contentSha256 && (
              <>
                {' '}
                (the SHA-256 of the text they were taken from is <code>{source.contentSha256}</code>)
              </>
            )}
            . They are listed below.
          </Empty>
        )}
      </section>

      {unplaced.length > 0 && (
        <section aria-labelledby="unplaced">
          <h2 id="unplaced">{text == null ? 'Statements in this source' : 'Not placed in the text'}</h2>
          <ul className="said">
            {unplaced.map((statement) => (
              <li
                key={statement.id}
                data-statements={statement.id}
                className={statement.id === selected ? 'selected' : undefined}
              >
                <Statement statement={statement} />
                {statement.span?.context && (
                  <p className="context">
                    In the passage: <q>{statement.span.context}</q>
                  </p>
                )}
                {text != null && statement.span && (
                  <p className="muted">
                    Its span ({statement.span.start}–{statement.span.end}) does not fit this text.
                  </p>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      {statements.length >= LISTED_AT_MOST && (
        <p className="state state-empty">
          This page shows the first {LISTED_AT_MOST} statements reported in this source, in the order of its text: the
          API lists no more for one source.
        </p>
      )}

      {layout && (
        <div hidden>
          {[...layout.placed.keys()].map((id) => (
            <span key={id} id={aboutId(id)}>
              {describe(byId.get(id)!)}
            </span>
          ))}
        </div>
      )}
    </article>
  );
}

/** The chosen statement, and the others whose spans overlap its own (two can rest on one sentence). */
function PassageCard({
  slug,
  chosen,
  layout,
  byId,
}: {
  slug: string;
  chosen: SourceStatement;
  layout: Layout;
  byId: Map<string, SourceStatement>;
}) {
  const span = layout.placed.get(chosen.id)!.span;
  const others = [...layout.placed]
    .filter(([id, place]) => id !== chosen.id && place.span.start < span.end && span.start < place.span.end)
    .map(([id]) => byId.get(id)!);
  return (
    <aside id={CARD_ID} className="passage" aria-label="The statement reported in this passage">
      <Statement statement={chosen} />
      {others.length > 0 && (
        <>
          <h3>Also reported in this passage</h3>
          {others.map((statement) => (
            <Statement key={statement.id} statement={statement} />
          ))}
        </>
      )}
      <a href={`#/source/${slug}`} className="close">
        Close
      </a>
    </aside>
  );
}

interface TextOptions {
  slug: string;
  selected: string | undefined;
  byId: Map<string, SourceStatement>;
  card: ReactNode;
}

/**
 * The text as paragraphs (it separates them with line breaks), each highlighted run a <mark>
 * holding a link that opens its statement's card after the paragraph where the chosen span ends.
 * One pass over the runs, cutting them at line breaks: the elements number the paragraphs plus
 * the runs, whatever the text's length.
 */
function renderText(text: string, layout: Layout, options: TextOptions): ReactNode[] {
  const blocks: ReactNode[] = [];
  const chosenEnd = options.selected ? layout.placed.get(options.selected)?.span.end : undefined;
  let paragraph: ReactNode[] = [];
  let paragraphStart = 0;
  let cardDue = false;
  let newline = text.indexOf('\n');
  const endParagraph = (next: number) => {
    if (paragraph.length) blocks.push(<p key={paragraphStart}>{paragraph}</p>);
    if (cardDue) blocks.push(options.card);
    cardDue = false;
    paragraph = [];
    paragraphStart = next;
  };
  for (const run of layout.runs) {
    let from = run.start;
    while (from < run.end) {
      if (newline !== -1 && newline < from) newline = text.indexOf('\n', from);
      const breaks = newline !== -1 && newline < run.end;
      const to = breaks ? newline : run.end;
      if (to > from)
        paragraph.push(run.ids.length ? highlight(text, run, from, to, layout, options) : text.slice(from, to));
      // The chosen span ends here (its last character, or the line break it ends on, is in [from, to]).
      if (chosenEnd !== undefined && from < chosenEnd && chosenEnd <= (breaks ? to + 1 : to)) cardDue = true;
      if (breaks) {
        endParagraph(to + 1);
        from = to + 1;
      } else from = to;
    }
  }
  endParagraph(text.length);
  return blocks;
}

/** [from, to) of a highlighted run: a mark with its statements' description, quoted words as <q>. */
function highlight(text: string, run: Run, from: number, to: number, layout: Layout, options: TextOptions) {
  const target = innermost(run, layout.placed)!;
  const open = target === options.selected;
  const stance = options.byId.get(target)!.stance;
  const classes = [
    'span',
    AFFIRMING.has(stance) ? 'for' : 'against',
    run.ids.length > 1 ? 'many' : '',
    options.selected && run.ids.includes(options.selected) ? 'chosen' : '',
  ];
  const pieces: ReactNode[] = [];
  for (const piece of run.pieces) {
    const start = Math.max(piece.start, from);
    const end = Math.min(piece.end, to);
    if (start >= end) continue;
    const words = text.slice(start, end);
    pieces.push(
      piece.quoteOf.length ? (
        <q key={start} data-quote-of={piece.quoteOf.join(' ')}>
          {words}
        </q>
      ) : (
        words
      ),
    );
  }
  return (
    <mark
      key={from}
      className={classes.filter(Boolean).join(' ')}
      data-statements={run.ids.join(' ')}
      title={run.ids.map((id) => describe(options.byId.get(id)!)).join('\n')}
    >
      <a
        href={open ? `#/source/${options.slug}` : statementInSource(options.slug, target)}
        aria-describedby={run.ids.map(aboutId).join(' ')}
        aria-expanded={open}
        aria-controls={open ? CARD_ID : undefined}
      >
        {pieces}
      </a>
    </mark>
  );
}
