/**
 * The serving loop of a supervised process: parses what the parent sends, dispatches
 * calls, answers with the call's sequence number, numbers its own events, says `ready`
 * once, and shuts down cleanly on request or when the parent goes away. Fatal errors
 * end the process (exit 70) so the supervisor restarts it from a clean state.
 */
import { HostToNativeSchema, NativeToHostSchema, type NativeToHost } from '../api/host-protocol.ts';
import type { Dispatch } from './rpc-dispatcher.ts';
import type { ParentChannel } from './parent-channel.ts';

export interface RpcChild {
  /** Sends an event; its sequence number is assigned here. */
  emit(name: string, payload: unknown): void;
}

export interface ServeOptions {
  channel: ParentChannel;
  dispatch: Dispatch;
  /** Releases resources (log out, finalize modules) before exit 0. */
  shutdown: () => Promise<void>;
  /** Tag for fatal lines on stderr. */
  name: string;
}

export function installFatalHandlers(name: string): void {
  process.on('uncaughtException', (err) => {
    process.stderr.write(`[${name} ${process.pid}] fatal: ${err.name}: ${err.message}\n`);
    process.exit(70);
  });
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(
      `[${name} ${process.pid}] fatal: unhandled rejection ${String(reason).slice(0, 200)}\n`,
    );
    process.exit(70);
  });
}

/** Starts serving; returns the event emitter. Call `ready()` once set-up is done. */
export function serveRpc(options: ServeOptions): RpcChild & { ready(): void } {
  const { channel, dispatch } = options;
  let eventSeq = 0;
  let shuttingDown = false;
  const post = (message: NativeToHost) => channel.post(message);

  const stop = () => {
    if (shuttingDown) return;
    shuttingDown = true;
    options
      .shutdown()
      .catch(() => {})
      .finally(() => process.exit(0));
  };

  channel.onMessage((raw) => {
    const parsed = HostToNativeSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.t === 'shutdown') return stop();
    void dispatch(message.method, message.params).then((result) => {
      const reply: NativeToHost = result.ok
        ? { t: 'result', seq: message.seq, ok: true, value: result.value }
        : { t: 'result', seq: message.seq, ok: false, error: result.error };
      if (!NativeToHostSchema.safeParse(reply).success) {
        post({
          t: 'result',
          seq: message.seq,
          ok: false,
          error: { kind: 'internal', message: 'unserialisable result' },
        });
        return;
      }
      post(reply);
    });
  });
  // A parent that goes away takes us with it: no orphan holding a token session.
  channel.onDisconnect(() => process.exit(0));

  return {
    emit: (name, payload) => post({ t: 'event', seq: eventSeq++, name, payload }),
    ready: () => post({ t: 'ready', pid: process.pid, protocol: 1 }),
  };
}
