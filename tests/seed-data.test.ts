// Checks the Belgorod seed package against the report it was taken from: its text is the
// report's, byte for byte; quotes are verbatim and sit in the spans the importer computes from
// them; every key resolves; and the facts the product exists for (the contested perpetrator, the
// casualty and weapon counts) are there.
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@newsfacts/platform/config';
import { readSeedPackage, seedDataset } from './helpers/seed-fixture';

const data = seedDataset();
// The report as it came (shared beside the repository), and the copy kept with the seed package.
const articlePath = path.resolve(repoRoot, '../shared/articles/belgorod-incursion-2023-05-23.txt');
const keptArticlePath = path.resolve(repoRoot, 'prisma/seed/belgorod-incursion-2023-05-23.txt');
const SEPARATOR = '\n----\n';

function readBody(): string {
  if (!existsSync(articlePath)) {
    throw new Error(`seed article not found at ${articlePath}; the seed data cannot be checked without it`);
  }
  const text = readFileSync(articlePath, 'utf8');
  const at = text.indexOf(SEPARATOR);
  if (at < 0) throw new Error(`seed article ${articlePath} has no "----" line separating header from body`);
  return text.slice(at + SEPARATOR.length);
}

const body = readBody();

const slugsOf = (items: Array<{ slug: string }>) => new Set(items.map((item) => item.slug));
const duplicates = (values: string[]) => values.filter((value, i) => values.indexOf(value) !== i);

const places = slugsOf(data.places);
const events = slugsOf(data.events);
const actors = slugsOf(data.actors);
const sources = slugsOf(data.sources);
const claims = slugsOf(data.claims);
const figures = data.events.flatMap((event) => event.figures.map((figure) => ({ event: event.slug, ...figure })));
const participants = data.events.flatMap((event) => event.participants.map((p) => ({ event: event.slug, ...p })));

const statement = (slug: string) => {
  const found = data.statements.find((s) => s.slug === slug);
  if (!found) throw new Error(`no statement ${slug}`);
  return found;
};
const actor = (slug: string) => data.actors.find((a) => a.slug === slug);

describe('seed dataset: quotes and spans match the report', () => {
  it('every quote appears verbatim in the body and inside its statement’s span', () => {
    const quoted = data.statements.filter((s) => s.quote !== null);
    expect(quoted.length).toBeGreaterThan(0);
    for (const s of quoted) {
      expect(body.includes(s.quote!), `${s.slug}: quote not in the body: ${s.quote}`).toBe(true);
      expect(s.span, `${s.slug}: a quoted statement needs a span`).not.toBeNull();
      const excerpt = body.slice(s.span!.start, s.span!.end);
      expect(excerpt.includes(s.quote!), `${s.slug}: quote not inside its span: ${JSON.stringify(excerpt)}`).toBe(true);
    }
  });

  it('every span lies within the body and is non-empty', () => {
    for (const s of data.statements) {
      if (s.span === null) continue;
      const { start, end } = s.span;
      expect(Number.isInteger(start) && Number.isInteger(end), `${s.slug}: integer offsets`).toBe(true);
      expect(start, `${s.slug}: start`).toBeGreaterThanOrEqual(0);
      expect(start, `${s.slug}: start < end`).toBeLessThan(end);
      expect(end, `${s.slug}: end within body`).toBeLessThanOrEqual(body.length);
    }
  });

  it('every statement carries a quote or a paraphrase, and a span', () => {
    for (const s of data.statements) {
      expect(s.quote !== null || s.paraphrase !== null, `${s.slug}: quote or paraphrase`).toBe(true);
      expect(s.span, `${s.slug}: span`).not.toBeNull();
    }
  });

  it("the package's source text is the report's body, and the copy in the repository is the report byte for byte", () => {
    expect(readSeedPackage().source.text).toBe(body);
    expect(readFileSync(keptArticlePath)).toEqual(readFileSync(articlePath));
    const sha = createHash('sha256').update(body, 'utf8').digest('hex');
    expect(sha).toBe('9460897abe0f63c7f29cf2177fd2ebec51ee1f755b9b9ddb80355498ae22f8b4');
  });
});

describe('seed dataset: references and uniqueness', () => {
  it('slugs are unique in each collection', () => {
    expect(duplicates(data.places.map((x) => x.slug))).toEqual([]);
    expect(duplicates(data.events.map((x) => x.slug))).toEqual([]);
    expect(duplicates(data.actors.map((x) => x.slug))).toEqual([]);
    expect(duplicates(data.sources.map((x) => x.slug))).toEqual([]);
    expect(duplicates(data.claims.map((x) => x.slug))).toEqual([]);
    expect(duplicates(data.statements.map((x) => x.slug))).toEqual([]);
  });

  it('rows the databases keep unique are unique', () => {
    expect(duplicates(participants.map((p) => `${p.event}|${p.actor}|${p.role}`))).toEqual([]);
    expect(duplicates(data.eventRelations.map((r) => `${r.from}|${r.to}|${r.kind}`))).toEqual([]);
    for (const a of data.actors) {
      expect(duplicates(a.aliases.map((alias) => alias.name)), `${a.slug} aliases`).toEqual([]);
      expect(duplicates(a.affiliations.map((f) => `${f.organization}|${f.title}`)), `${a.slug} affiliations`).toEqual(
        [],
      );
    }
  });

  it('events point at existing places and parents', () => {
    for (const event of data.events) {
      if (event.place !== null) expect(places.has(event.place), `${event.slug} place ${event.place}`).toBe(true);
      if (event.parent !== null) {
        expect(events.has(event.parent), `${event.slug} parent ${event.parent}`).toBe(true);
        expect(event.parent, `${event.slug} is its own parent`).not.toBe(event.slug);
      }
    }
  });

  it('participants and figures point at existing actors and claims', () => {
    for (const p of participants) {
      expect(actors.has(p.actor), `${p.event} participant ${p.actor}`).toBe(true);
      if (p.claim !== null) expect(claims.has(p.claim), `${p.event} participant claim ${p.claim}`).toBe(true);
      // An alleged attacker is an allegation: it must rest on a claim.
      if (p.role === 'ALLEGED_ATTACKER') expect(p.claim, `${p.event} ${p.actor} allegation`).not.toBeNull();
    }
    for (const f of figures) {
      if (f.claim !== null) expect(claims.has(f.claim), `figure of ${f.event} claim ${f.claim}`).toBe(true);
    }
  });

  it('event relations join existing, distinct events', () => {
    for (const r of data.eventRelations) {
      expect(events.has(r.from), `relation from ${r.from}`).toBe(true);
      expect(events.has(r.to), `relation to ${r.to}`).toBe(true);
      expect(r.from).not.toBe(r.to);
    }
  });

  it('affiliations point at existing organisations', () => {
    for (const a of data.actors) {
      for (const f of a.affiliations) {
        const org = actor(f.organization);
        expect(org, `${a.slug} affiliation ${f.organization}`).toBeDefined();
        expect(org!.kind, `${f.organization} is an organisation`).toBe('ORGANIZATION');
      }
    }
  });

  it('claims point at existing events; statements at claims, speakers, outlets and sources', () => {
    for (const c of data.claims) expect(events.has(c.event), `claim ${c.slug} event ${c.event}`).toBe(true);
    for (const s of data.statements) {
      expect(claims.has(s.claim), `${s.slug} claim ${s.claim}`).toBe(true);
      expect(actors.has(s.speaker), `${s.slug} speaker ${s.speaker}`).toBe(true);
      expect(sources.has(s.source), `${s.slug} source ${s.source}`).toBe(true);
      if (s.outlet !== null) expect(actors.has(s.outlet), `${s.slug} outlet ${s.outlet}`).toBe(true);
      expect(s.saidAt === null, `${s.slug}: saidAt and its precision go together`).toBe(s.saidAtPrecision === null);
    }
  });

  it('every claim is backed by at least one statement', () => {
    const backed = new Set(data.statements.map((s) => s.claim));
    expect(data.claims.filter((c) => !backed.has(c.slug)).map((c) => c.slug)).toEqual([]);
  });

  it('only the questions meant to be contested are shared between claims', () => {
    const groups = new Map<string, string[]>();
    for (const c of data.claims) {
      const key = `${c.event} | ${c.question}`;
      groups.set(key, [...(groups.get(key) ?? []), c.slug]);
    }
    const contested = [...groups.entries()].filter(([, slugs]) => slugs.length > 1).map(([key]) => key);
    expect(contested).toEqual(['belgorod-incursion-2023 | Who carried out the raid?']);
  });
});

describe('seed dataset: the facts of the report', () => {
  it('the raid has two competing perpetrator claims, each backed by a statement', () => {
    const perpetrators = data.claims.filter((c) => c.event === 'belgorod-incursion-2023' && c.aspect === 'PERPETRATOR');
    expect(perpetrators.map((c) => c.slug).sort()).toEqual([
      'raid-perpetrator-russian-volunteer-militias',
      'raid-perpetrator-ukrainian-armed-formations',
    ]);
    expect(new Set(perpetrators.map((c) => c.question)).size).toBe(1);

    const backers = (claim: string) =>
      data.statements.filter((s) => s.claim === claim && (s.stance === 'ASSERTS' || s.stance === 'SUPPORTS'));
    expect(backers('raid-perpetrator-russian-volunteer-militias').map((s) => s.speaker)).toContain('andriy-yusov');
    const ic = backers('raid-perpetrator-ukrainian-armed-formations');
    expect(ic.map((s) => s.speaker)).toContain('investigative-committee-of-russia');
    expect(ic.find((s) => s.speaker === 'investigative-committee-of-russia')!.quote).toBe('Ukrainian armed formations');
  });

  it('Yusov spoke to Suspilne in an interview on Monday 22 May', () => {
    const s = statement('yusov-russian-volunteer-militias');
    expect(s.channel).toBe('INTERVIEW');
    expect(s.outlet).toBe('suspilne');
    expect(s.saidAt).toBe('2023-05-22T00:00:00Z');
  });

  it('Gladkov’s Telegram quote is exact', () => {
    const quote = 'We are working to wrap up the anti-terrorist operation, security forces are doing all they can';
    const s = data.statements.find((x) => x.speaker === 'vyacheslav-gladkov' && x.channel === 'TELEGRAM');
    expect(s, 'a Telegram statement by Gladkov').toBeDefined();
    expect(s!.quote).toBe(quote);
    expect(body).toContain(`“${quote},”`);
  });

  it('Malyar’s quote keeps the report’s curly apostrophe', () => {
    expect(statement('malyar-rebelled-against-putin').quote).toBe('People in fact rebelled against Putin’s regime.');
  });

  const figure = (event: string, metric: string) => figures.filter((f) => f.event === event && f.metric === metric);

  it('twelve people were injured in the raid', () => {
    expect(figure('belgorod-incursion-2023', 'INJURED').map((f) => [f.value, f.qualifier])).toEqual([[12, 'EXACT']]);
  });

  it('the attackers advanced with at least one tank', () => {
    const tanks = figures.filter((f) => f.metric === 'TANKS');
    expect(tanks.map((f) => [f.event, f.value, f.qualifier])).toEqual([
      ['kozinka-border-post-attack-2023', 1, 'AT_LEAST'],
    ]);
  });

  it('the Bryansk sabotage killed two civilians and wounded a boy', () => {
    expect(figure('bryansk-sabotage-accusation-2023', 'KILLED').map((f) => [f.value, f.qualifier])).toEqual([
      [2, 'EXACT'],
    ]);
    expect(figure('bryansk-sabotage-accusation-2023', 'INJURED').map((f) => [f.value, f.qualifier])).toEqual([
      [1, 'EXACT'],
    ]);
  });

  it('two drones were involved in the Kremlin incident', () => {
    expect(figure('kremlin-drone-incident-2023', 'DRONES').map((f) => [f.value, f.qualifier])).toEqual([[2, 'EXACT']]);
  });

  it('the Kozinka attack is part of the raid, and the raid follows the two earlier incidents', () => {
    expect(data.events.find((e) => e.slug === 'kozinka-border-post-attack-2023')!.parent).toBe(
      'belgorod-incursion-2023',
    );
    const follows = data.eventRelations.filter((r) => r.from === 'belgorod-incursion-2023' && r.kind === 'FOLLOWS');
    expect(follows.map((r) => r.to).sort()).toEqual([
      'bryansk-sabotage-accusation-2023',
      'kremlin-drone-incident-2023',
    ]);
  });

  it('both Ukrainian denials are recorded', () => {
    expect(statement('kyiv-denies-bryansk-sabotage')).toMatchObject({
      claim: 'bryansk-perpetrator-ukrainian-sabotage',
      speaker: 'ukraine',
      stance: 'DENIES',
    });
    expect(statement('zelenskyy-denies-kremlin-drones')).toMatchObject({
      claim: 'kremlin-perpetrator-ukraine',
      speaker: 'volodymyr-zelenskyy',
      stance: 'DENIES',
    });
  });
});
