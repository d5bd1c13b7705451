import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '@newsfacts/platform/config';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts a TypeScript entry point of this repo (e.g. `services/events/src/index.ts`) as a child process. */
export function startService(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  onLine: (name: string, line: string) => void,
  args: string[] = [],
  /** Flags for node itself, before the entry (`--cpu-prof`, which NODE_OPTIONS may not carry). */
  nodeArgs: string[] = [],
): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(repoRoot, entry), ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line) onLine(name, line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, exited };
}

/** Polls `url` until it answers 200, the process exits, or the deadline passes. */
export async function waitUntilReady(url: string, service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void service.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    if (ended) throw new Error(`${service.name} exited before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${service.name} was not ready at ${url} within ${timeoutMs / 1000}s`);
}

/** SIGTERM, then SIGKILL for whatever has not exited after `graceMs`. */
export async function stopAll(services: ServiceProcess[], graceMs = 10_000): Promise<void> {
  await Promise.all(
    services.map(async (service) => {
      if (service.child.exitCode !== null || service.child.signalCode !== null) return;
      service.child.kill('SIGTERM');
      const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
      await service.exited;
      clearTimeout(timer);
    }),
  );
}
