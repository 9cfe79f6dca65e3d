/**
 * Stops the native process before the app exits. The first `will-quit` is held back
 * (preventDefault) while the supervisor shuts the native process down (it logs out and
 * finalizes tokens); when that finishes, or after `timeoutMs`, every native process is
 * killed and the app quits for real. Pure module: main.ts passes Electron's functions.
 */

/** The steps of a clean quit; main.ts passes the supervisor's and the app's. */
export interface QuitGuardOptions {
  /** Graceful stop (NativeSupervisor.stop); may take a while, may fail. */
  stop: () => Promise<void>;
  /** Kills whatever native process is still alive; called after stop, always. */
  kill: () => void;
  /** Quits the app again (app.quit); the guard then lets it through. */
  quit: () => void;
  /** Longest wait for `stop`, in ms. Default 5 000. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** Returns the `will-quit` listener. */
export function createQuitGuard(
  options: QuitGuardOptions,
): (event: { preventDefault(): void }) => void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  const timeoutMs = options.timeoutMs ?? 5_000;

  return (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        options.log?.(`native process did not stop within ${timeoutMs} ms; killing it`);
        resolve();
      }, timeoutMs);
    });
    const stopped = Promise.resolve()
      .then(options.stop)
      .catch((err: unknown) => options.log?.(`stopping the native process failed: ${String(err)}`));

    void Promise.race([stopped, timeout]).then(() => {
      clearTimeout(timer);
      try {
        options.kill();
      } catch (err) {
        options.log?.(`killing the native process failed: ${String(err)}`);
      }
      state = 'stopped';
      options.quit();
    });
  };
}
