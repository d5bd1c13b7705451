import { describe, expect, it } from 'vitest';
import { changeLogSignal } from './change-log-signal';

/** A signal over a stand-in log whose reads are counted. */
function counted(values: string[]) {
  let reads = 0;
  const signal = changeLogSignal(async () => values[Math.min(reads++, values.length - 1)]!);
  return { signal, reads: () => reads };
}

describe('the change-log signal', () => {
  it('is read from the database every time while notifications are not heard', async () => {
    const { signal, reads } = counted(['1', '2']);
    expect(await signal.read()).toBe('1');
    expect(await signal.read()).toBe('2');
    expect(reads()).toBe(2);
  });

  it('while heard, is read once and then only after a notification', async () => {
    const { signal, reads } = counted(['1', '3']);
    signal.listening(true);
    expect(await signal.read()).toBe('1');
    expect(await signal.read()).toBe('1');
    expect(reads()).toBe(1);
    signal.notified();
    expect(await signal.read()).toBe('3');
    expect(await signal.read()).toBe('3');
    expect(reads()).toBe(2);
  });

  it('is read again after the listener reconnects: what was sent meanwhile was lost', async () => {
    const { signal, reads } = counted(['1', '2']);
    signal.listening(true);
    await signal.read();
    signal.listening(false);
    signal.listening(true);
    expect(await signal.read()).toBe('2');
    expect(reads()).toBe(2);
  });

  it('while entries are held back, is read every time, so that their release is seen', async () => {
    const { signal, reads } = counted(['5 held', '5 held', '5']);
    signal.listening(true);
    expect(await signal.read()).toBe('5 held');
    expect(await signal.read()).toBe('5 held');
    expect(await signal.read()).toBe('5');
    expect(await signal.read()).toBe('5');
    expect(reads()).toBe(3);
  });

  it('a notification during a read makes the next read go to the database', async () => {
    let reads = 0;
    let notify = () => {};
    const signal = changeLogSignal(async () => {
      reads++;
      if (reads === 1) notify();
      return String(reads);
    });
    notify = signal.notified;
    signal.listening(true);
    expect(await signal.read()).toBe('1');
    expect(await signal.read()).toBe('2');
    expect(reads).toBe(2);
  });
});
