/**
 * A round-robin TCP proxy standing in for a Kubernetes Service in front of a service's replicas:
 * each new connection goes to the next target; a target that refuses the connection is skipped,
 * as a Service stops routing to a pod that is gone. A connection already made to a target that
 * dies is cut, as it would be.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  url: string;
  /** Connections handed to each target so far. */
  readonly connections: number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(targets: number[]): Promise<TcpProxy> {
  const connections = targets.map(() => 0);
  const sockets = new Set<net.Socket>();
  let next = 0;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.pause();
    const tryTarget = (attemptsLeft: number) => {
      const index = next++ % targets.length;
      const upstream = net.connect(targets[index]!, '127.0.0.1');
      sockets.add(upstream);
      upstream.once('close', () => sockets.delete(upstream));
      upstream.once('connect', () => {
        connections[index]!++;
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        // Only a connection that was made is cut with its target; a refused one tries the next.
        upstream.once('close', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.once('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
      upstream.once('error', () => {
        upstream.destroy();
        if (attemptsLeft > 1) tryTarget(attemptsLeft - 1);
        else client.destroy();
      });
    };
    tryTarget(targets.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
