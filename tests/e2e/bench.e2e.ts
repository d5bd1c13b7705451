/**
 * The benchmark still runs end to end (`npm run bench -- --quick`): every scenario answers
 * without errors and writes its report, and the statement count per request is the same for
 * 1 and 1,000 entities. The numbers themselves are not judged here: these machines are shared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startService, stopAll } from '../../scripts/lib/processes';

describe('npm run bench -- --quick', () => {
  it('runs every scenario and writes the report', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsfacts-bench-'));
    const out = path.join(dir, 'benchmark.md');
    try {
      const lines: string[] = [];
      const bench = startService('bench', 'scripts/bench/run.ts', process.env, (_name, line) => lines.push(line), ['--quick', '--out', out]);
      // If this test times out, the bench still stops its federation and drops its databases.
      onTestFinished(() => stopAll([bench], 30_000));
      const code = await bench.exited;
      expect(code, lines.join('\n')).toBe(0);
      const report = fs.readFileSync(out, 'utf8');
      for (const scenario of ['S0', 'S1', 'S2', 'S3', 'S4', 'S5 N = 1 ', 'S5 N = 1000']) expect(report).toContain(`| ${scenario}`);
      const rows = report.split('\n').filter((line) => /^\| S[0-5] /.test(line));
      // No scenario answered with an error (the fifth column).
      for (const row of rows) expect(row.split('|')[5]!.trim(), row).toBe('0');
      expect(report).toMatch(/\| S5: SQL statements per request constant in N \| .* \| holds \|/);
      expect(report).toMatch(/^- CPU: .+ × \d+/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
