/**
 * The peer benchmark still runs end to end (`npm run bench:peers -- --quick`): ours, stock
 * @apollo/gateway and Hive Gateway start in front of the same subgraphs, give the same data
 * before any load, and each answers every mix without errors. In the write-heavy mix ours, with
 * its response cache on, and stock return no read older than a write that had answered; Hive's
 * stale reads are reported, not judged. How fast is not judged here: these machines are shared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { PeerFigures } from '../../scripts/bench/peers';
import { startService, stopAll } from '../../scripts/lib/processes';

describe('npm run bench:peers -- --quick', () => {
  it('measures all three gateways after checking they answer alike', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsfacts-bench-peers-'));
    const out = path.join(dir, 'benchmark-peers.md');
    try {
      const lines: string[] = [];
      const bench = startService(
        'bench-peers',
        'scripts/bench/peers.ts',
        process.env,
        (_name, line) => lines.push(line),
        ['--quick', '--out', out],
      );
      // If this test times out, the bench still stops its gateways and drops its databases.
      onTestFinished(() => stopAll([bench], 30_000));
      const code = await bench.exited;
      expect(code, lines.join('\n')).toBe(0);

      const figures = JSON.parse(fs.readFileSync(path.join(dir, 'benchmark-peers.json'), 'utf8')) as PeerFigures;
      expect(figures.quick).toBe(true);
      expect(figures.identicalData).toMatchObject({ checked: true, identical: true });
      expect(figures.identicalData.queries).toBeGreaterThan(1);
      // Ours and Hive each with and without a response cache, and stock.
      expect(figures.identicalData.gateways).toHaveLength(5);

      expect(figures.mixes.map((mix) => mix.mix)).toEqual(['hot', 'diverse', 'write-heavy']);
      const [hot, diverse, writeHeavy] = figures.mixes;
      expect(hot!.gateways.map((g) => g.gateway)).toEqual(['ours', 'stock', 'hive', 'ours-uncached', 'plain']);
      expect(diverse!.gateways.map((g) => g.gateway)).toEqual(['ours', 'stock', 'hive']);
      expect(writeHeavy!.gateways.map((g) => g.gateway)).toEqual(['ours', 'stock', 'hive']);
      // In the hot mix ours answers from its response cache; at its defaults it has none.
      expect(hot!.gateways[0]!.responseCacheHits).toBeGreaterThan(0);
      expect(hot!.gateways[3]!.responseCacheHits).toBe(0);
      // Reads and writes through each; none through ours or stock older than a write that had answered.
      for (const gateway of writeHeavy!.gateways) {
        expect(gateway.consistency!.reads, gateway.gateway).toBeGreaterThan(0);
        expect(gateway.consistency!.writes, gateway.gateway).toBeGreaterThan(0);
      }
      const [ours, stock] = writeHeavy!.gateways;
      expect(ours!.consistency!.staleReads, JSON.stringify(ours!.consistency)).toBe(0);
      expect(stock!.consistency!.staleReads, JSON.stringify(stock!.consistency)).toBe(0);
      expect(hot!.gateways[0]!.consistency).toBeNull();
      for (const mix of figures.mixes) {
        for (const gateway of mix.gateways) {
          const label = `${mix.mix}, ${gateway.gateway}`;
          expect(gateway.runs, label).toHaveLength(1);
          expect(gateway.requestsPerSecond, label).toBeGreaterThan(0);
          // A 200 carrying GraphQL errors counts as an error too.
          expect(gateway.errors, label).toBe(0);
          expect(gateway.p99Ms!, label).toBeGreaterThanOrEqual(gateway.p50Ms!);
          expect(gateway.gatewayCpuMsPerRequest!, label).toBeGreaterThan(0);
          expect(gateway.subgraphFetchesPerRequest, label).not.toBeNull();
        }
        // Different events every request: no gateway can answer one without the subgraphs. The
        // peers send a fetch per step of each plan; ours merges concurrent requests' fetches, so
        // it may send fewer than one per request.
        if (mix.mix === 'diverse')
          for (const gateway of mix.gateways)
            expect(gateway.subgraphFetchesPerRequest!).toBeGreaterThan(gateway.gateway === 'ours' ? 0 : 1);
      }

      const report = fs.readFileSync(out, 'utf8');
      expect(report).toMatch(/^# Peer gateways/);
      expect(report).toMatch(/\*\*Identical data:\*\*/);
      for (const name of ['ours (gateway/)', 'stock @apollo/gateway 2.14.4', 'Hive Gateway 2.15.1'])
        expect(report).toContain(`| ${name} |`);
      expect(report).toMatch(/## Where we are behind, and why/);
      expect(report).toMatch(/ours answered \d+% as many requests a second as plain node:http/);
      expect(report).toMatch(/## write-heavy: .*\n\n\| gateway .*\| reads \| writes \| stale reads \|/);
      expect(report).toMatch(/ours \(gateway\/\) returned no stale read/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
