/**
 * Entry of the native process: the only place that touches tokens (and later disk,
 * network and keys). Started by Electron main as a utilityProcess (messages over
 * `process.parentPort`) or by plain Node as a child process (messages over the IPC
 * channel of `child_process.fork`). This file only wires.
 */
import { NativeToHostSchema, HostToNativeSchema, type NativeToHost } from './api/host-protocol.ts';
import type { EventName, EventPayload } from './api/contract.ts';
import { createDispatcher } from './service/dispatcher.ts';
import { SessionService } from './service/session-service.ts';
import { resolveModules } from './token/module-config.ts';
import { TokenService } from './token/token-service.ts';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function post(message: NativeToHost): void {
  if (parentPort) parentPort.postMessage(message);
  else if (process.send) process.send(message);
}

function onMessage(listener: (message: unknown) => void): void {
  if (parentPort) parentPort.on('message', (event) => listener(event.data));
  else process.on('message', listener);
}

const log = (line: string): void => {
  if (process.env.NIEM_LOG === 'debug') process.stderr.write(`[native ${process.pid}] ${line}\n`);
};

if (!parentPort && !process.send) {
  process.stderr.write(
    'native/main.ts runs only as a child of a Niêm host (Electron, bridge or CLI).\n',
  );
  process.exit(64);
}

process.on('uncaughtException', (err) => {
  process.stderr.write(`[native ${process.pid}] fatal: ${err.name}: ${err.message}\n`);
  process.exit(70);
});
process.on('unhandledRejection', (reason) => {
  process.stderr.write(
    `[native ${process.pid}] fatal: unhandled rejection ${String(reason).slice(0, 200)}\n`,
  );
  process.exit(70);
});

let eventSeq = 0;
const emit = <E extends EventName>(name: E, payload: EventPayload<E>): void => {
  post({ t: 'event', seq: eventSeq++, name, payload });
};

/** Loads the token modules, then serves calls until the host says shutdown or goes away. */
async function main(): Promise<void> {
  const { modules, source } = resolveModules({
    env: process.env,
    ...(process.env.NIEM_SETTINGS_FILE ? { settingsFile: process.env.NIEM_SETTINGS_FILE } : {}),
  });
  log(`PKCS#11 modules from ${source}: ${modules.join(', ') || '(none)'}`);
  const tokens = await TokenService.open({ modules });
  for (const problem of tokens.moduleProblems)
    log(`module ${problem.path} unavailable: ${problem.reason}`);

  const session = new SessionService(tokens, emit, { moduleCount: modules.length });
  const dispatch = createDispatcher(session.handlers, log);

  let shuttingDown = false;
  onMessage((raw) => {
    const parsed = HostToNativeSchema.safeParse(raw);
    if (!parsed.success) {
      log('ignored a malformed message from the host');
      return;
    }
    const message = parsed.data;
    if (message.t === 'shutdown') {
      if (shuttingDown) return;
      shuttingDown = true;
      session
        .shutdown()
        .catch(() => {})
        .finally(() => process.exit(0));
      return;
    }
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

  // A host that goes away takes us with it: no orphan holding a token session.
  if (!parentPort) process.on('disconnect', () => process.exit(0));

  session.startWatching();
  post({ t: 'ready', pid: process.pid, protocol: 1 });
}

void main();
