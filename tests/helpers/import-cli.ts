/** Runs `npm run import` as a newsroom would: a package file, a gateway, a write key. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startService } from '../../scripts/lib/processes';

export async function runImportCli(
  gatewayUrl: string,
  key: string,
  pkg: unknown,
  ...args: string[]
): Promise<{ code: number | null; lines: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsfacts-import-'));
  const file = path.join(dir, 'package.json');
  fs.writeFileSync(file, JSON.stringify(pkg));
  try {
    const lines: string[] = [];
    const cli = startService(
      'import',
      'scripts/import.ts',
      { ...process.env, NEWSFACTS_API_KEY: key, NEWSFACTS_GATEWAY_URL: gatewayUrl },
      (_name, line) => lines.push(line),
      [file, ...args],
    );
    return { code: await cli.exited, lines };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
