/** Runs the `pnpm keys` CLI (scripts/keys.ts) as an operator would, against a given environment. */
import { startService } from './processes';

export async function runKeysCli(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number | null; lines: string[] }> {
  const lines: string[] = [];
  const cli = startService('keys', 'scripts/keys.ts', env, (_name, line) => lines.push(line), args);
  return { code: await cli.exited, lines };
}

/** `keys create`, returning the key (the last line of the output) and its id. */
export async function createKey(env: NodeJS.ProcessEnv, name: string, scopes: string, ...extra: string[]) {
  const { code, lines } = await runKeysCli(env, 'create', '--name', name, '--scopes', scopes, ...extra);
  if (code !== 0) throw new Error(`keys create failed (${code}):\n${lines.join('\n')}`);
  const keyId = /created (key_[0-9a-f]+)/.exec(lines[0] ?? '')?.[1];
  return { key: lines.at(-1)!, keyId: keyId!, lines };
}
