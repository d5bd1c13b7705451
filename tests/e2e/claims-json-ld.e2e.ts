// Claims as schema.org JSON-LD through the real gateway: the seeded perpetrator claim, its
// authors resolved by the actors service, the report it appeared in, and each position on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, type Federation } from '../helpers/federation';

let federation: Federation;
let claimId: string;

beforeAll(async () => {
  federation = await startFederation();
  const { body } = await federation.query(
    `{ event(slug: "belgorod-incursion-2023") { contestedClaims { id aspect text statements { stance speaker { name } } } } }`,
  );
  const claim = (
    body.data!.event.contestedClaims as Array<{ id: string; aspect: string; statements: Array<{ stance: string }> }>
  ).find((each) => each.aspect === 'PERPETRATOR' && each.statements.some((s) => s.stance === 'ASSERTS'))!;
  claimId = claim.id;
}, 180_000);

afterAll(async () => {
  await federation?.stop();
});

describe('a claim as schema.org JSON-LD', () => {
  it('at GET /claims/{id}.jsonld: the Claim, its authors with their names, where it appeared, each position', async () => {
    const response = await fetch(`${federation.gatewayUrl}/claims/${claimId}.jsonld`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/ld\+json/);
    const document = (await response.json()) as Record<string, unknown>;
    const { body } = await federation.query(
      `query($id: ID!) { claim(id: $id) { text jsonLd statements(first: 100) { stance quote speaker { name } reportedIn { title } } } }`,
      { id: claimId },
    );
    const claim = body.data!.claim;
    // The route and the field give the same document.
    expect(document).toEqual(claim.jsonLd);
    expect(document).toMatchObject({ '@context': 'https://schema.org', '@type': 'Claim', text: claim.text });
    const asserting = claim.statements.filter((s: { stance: string }) => s.stance === 'ASSERTS');
    expect((document.author as Array<{ name: string }>).map((author) => author.name).sort()).toEqual(
      [...new Set(asserting.map((s: { speaker: { name: string } }) => s.speaker.name))].sort(),
    );
    expect((document.firstAppearance as { headline: string }).headline).toBe(claim.statements[0].reportedIn.title);
    expect((document.subjectOf as unknown[]).length).toBe(claim.statements.length);
    expect(JSON.stringify(document)).not.toMatch(/ClaimReview/);
  });

  it('a claim that does not exist is 404, and an address that names none is 404 too', async () => {
    const missing = await fetch(`${federation.gatewayUrl}/claims/00000000-0000-4000-8000-000000000000.jsonld`);
    expect(missing.status).toBe(404);
    expect(
      ((await missing.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code,
    ).toBe('NOT_FOUND');
    expect((await fetch(`${federation.gatewayUrl}/claims/nothing.jsonld`)).status).toBe(404);
  });
});
