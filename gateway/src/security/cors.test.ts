import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsPolicy } from './cors';
import { parseOriginList } from './origins';

// The policy in front of a plain handler, over real HTTP, as a browser's requests reach it.
const ALLOWED = 'https://desk.example-news.org';
let base: string;
let close: () => void;

beforeAll(async () => {
  const app = express();
  const answer: express.RequestHandler = (_req, res) => {
    res.json({ ok: true });
  };
  app.use('/listed', corsPolicy({ origins: parseOriginList(ALLOWED), anyOrigin: false, maxAgeSeconds: 600 }), answer);
  app.use('/any', corsPolicy({ origins: parseOriginList(ALLOWED), anyOrigin: true, maxAgeSeconds: 60 }), answer);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

const preflight = (path: string, origin: string, headers = 'authorization,content-type') =>
  fetch(`${base}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });
const corsHeaders = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('CORS', () => {
  it('answers a listed origin’s preflight with its origin, methods, headers, max age and Vary', async () => {
    const response = await preflight('/listed', ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'authorization,content-type,x-api-key,idempotency-key,apollo-require-preflight',
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('lets a listed origin read the request id and quota headers of an answer', async () => {
    const response = await fetch(`${base}/listed`, { headers: { origin: ALLOWED } });
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-expose-headers')).toBe(
      'x-request-id,ratelimit,ratelimit-policy,retry-after',
    );
  });

  it('gives any other origin no CORS header at all, and refuses its preflight', async () => {
    const refused = await preflight('/listed', 'https://elsewhere.example');
    expect(refused.status).toBe(403);
    expect(corsHeaders(refused)).toEqual([]);
    expect(refused.headers.get('vary')).toMatch(/\bOrigin\b/);
    const simple = await fetch(`${base}/listed`, { headers: { origin: 'https://elsewhere.example' } });
    expect(simple.status).toBe(200); // the browser, not the server, keeps the page from reading it
    expect(corsHeaders(simple)).toEqual([]);
    expect(simple.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('with "*": any origin may read anonymously, but may not send the headers a key travels in', async () => {
    const response = await preflight('/any', 'https://elsewhere.example');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'content-type,idempotency-key,apollo-require-preflight',
    );
    // A listed origin still gets the key headers.
    expect((await preflight('/any', ALLOWED)).headers.get('access-control-allow-headers')).toMatch(/authorization/);
  });

  it('leaves requests without an Origin alone', async () => {
    const response = await fetch(`${base}/listed`);
    expect(corsHeaders(response)).toEqual([]);
    expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
  });
});
