/**
 * The hard deadline of listen()'s drain, over real HTTP: a request that never ends cannot keep
 * a stopping service alive. (The rest of the drain is proven end to end in tests/e2e/faults.e2e.ts.)
 */
import express from 'express';
import { describe, expect, it } from 'vitest';
import { listen } from './http';

describe('closing a listening server', () => {
  it('cuts a request still running at the drain deadline, then resolves', async () => {
    const app = express();
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    app.get('/stuck', () => arrived()); // never answers
    const running = await listen(app, 0, '127.0.0.1', { drainTimeoutMs: 300 });
    const outcome = fetch(`${running.url}/stuck`).then(
      () => 'answered',
      () => 'cut',
    );
    await reached;

    const startedAt = Date.now();
    await running.close();
    const elapsed = Date.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
    expect(await outcome).toBe('cut');
  });
});
