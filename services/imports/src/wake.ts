/** Lets a worker sleep until its next poll, or until something in this process has work for it now. */
export function wakeSignal() {
  let wake: (() => void) | null = null;
  return {
    notify: () => wake?.(),
    wait: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      }),
  };
}
