import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Logger } from '@newsfacts/platform/logger';

const dist = fileURLToPath(new URL('../web/dist', import.meta.url));

// The pages may talk to this origin only: a page that tried to load anything from elsewhere
// would break here as it would behind a newsroom's firewall.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the bundled pages (gateway/web, built by Vite): GraphiQL at /graphiql and the fact
 * explorer at /explorer, with their hashed assets cached for good.
 */
export function mountWebPages(app: express.Express, logger: Logger): void {
  const pages = { '/graphiql': 'graphiql.html', '/explorer': 'explorer.html' } as const;
  const built = Object.values(pages).every((page) => fs.existsSync(path.join(dist, page)));
  if (!built)
    logger.warn('the web pages are not built (run `npx pnpm@12.4.2 generate`); /graphiql and /explorer answer 503');

  app.use('/assets', express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  app.use('/assets', (_req, res) => {
    res.status(404).type('text/plain').send('Not found.');
  });
  for (const [route, page] of Object.entries(pages)) {
    app.get(route, (_req, res) => {
      if (!built) {
        res
          .status(503)
          .type('text/plain')
          .send('The pages are not built: run `npx pnpm@12.4.2 generate` and restart the gateway.');
        return;
      }
      res.set({
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-cache',
      });
      res.sendFile(path.join(dist, page));
    });
  }
  app.get('/', (_req, res) => res.redirect(302, '/explorer'));
  // A malformed path (bad percent-encoding) fails inside express.static: say so, show no stack.
  app.use(
    (error: Error & { status?: number }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (res.headersSent) return next(error);
      const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
      if (status === 500) logger.error({ err: error }, 'error serving a page');
      res
        .status(status)
        .type('text/plain')
        .send(status === 500 ? 'Internal server error.' : 'Bad request.');
    },
  );
}
