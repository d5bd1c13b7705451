/**
 * An HTTP proxy that holds each request for `delayMs` before passing it, unchanged, to a real
 * service: a slow subgraph without faking the subgraph. Put its URL where the gateway looks for
 * the service (e.g. STATEMENTS_URL) and set `target` to the service's real URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DelayingProxy {
  /** The proxy's base URL (append the path, e.g. `/graphql`). */
  url: string;
  /** Where requests go, e.g. `http://127.0.0.1:4003`; set it once the service is up. */
  target: string | undefined;
  /** How long each request is held before it is forwarded. */
  delayMs: number;
  /** How long the service's answer to each request is held before it is passed back (as set when the request came). */
  answerDelayMs: number;
  /** Requests received and not yet answered, delayed or forwarded. */
  readonly pending: number;
  /** GraphQL requests (to /graphql) received since the proxy started: not a response cache's change-log reads. */
  readonly received: number;
  /** The headers of the latest GraphQL request received. */
  readonly lastHeaders: http.IncomingHttpHeaders;
  close(): Promise<void>;
}

export async function startDelayingProxy(): Promise<DelayingProxy> {
  let pending = 0;
  let received = 0;
  let lastHeaders: http.IncomingHttpHeaders = {};
  const proxy: DelayingProxy = {
    url: '',
    target: undefined,
    delayMs: 0,
    answerDelayMs: 0,
    get pending() {
      return pending;
    },
    get received() {
      return received;
    },
    get lastHeaders() {
      return lastHeaders;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const server = http.createServer((req, res) => {
    pending++;
    if (req.url?.startsWith('/graphql')) {
      received++;
      lastHeaders = req.headers;
    }
    res.once('close', () => pending--);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    const answerDelayMs = proxy.answerDelayMs;
    req.on('end', () => {
      const timer = setTimeout(forward, proxy.delayMs);
      // The caller gave up (e.g. the gateway's timeout): nothing to forward.
      res.once('close', () => clearTimeout(timer));
    });

    function forward() {
      if (!proxy.target) {
        res.writeHead(502).end();
        return;
      }
      const target = new URL(req.url ?? '/', proxy.target);
      const upstream = http.request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          const passBack = () => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          };
          if (answerDelayMs > 0) setTimeout(passBack, answerDelayMs);
          else passBack();
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
