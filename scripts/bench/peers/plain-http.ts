/**
 * What HTTP itself costs, for `npm run bench:peers`: plain node:http reading each request's body
 * and answering it with one constant, the raid query's answer as our gateway gives it, so that
 * the bytes on the wire are those of a cached answer. No GraphQL, no checks, no cache lookup.
 */
import http from 'node:http';

const { PEER_PORT, PLAIN_HTTP_ANSWER } = process.env;
if (!PEER_PORT || !PLAIN_HTTP_ANSWER) throw new Error('PEER_PORT and PLAIN_HTTP_ANSWER must be set');
const answer = Buffer.from(PLAIN_HTTP_ANSWER);

const server = http.createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
    res.end(answer);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(PEER_PORT), '127.0.0.1', () =>
  process.stdout.write(`plain node:http at http://127.0.0.1:${PEER_PORT}\n`),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
