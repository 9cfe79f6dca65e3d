/**
 * Starts the native process as an Electron utilityProcess (its own OS process, so a
 * blocking or crashing PKCS#11 module never touches the main process or the renderer)
 * and adapts it to the supervisor's NativeChild. Messages go over the utility process's
 * parentPort; stdout and stderr are piped into the main process log, line by line.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import { NATIVE_NODE_FLAGS } from '../native/host/node-flags.ts';
import type { NativeChild, NativeSpawner } from '../native/host/supervisor.ts';
import { tokenHostBroker, type TokenHostBroker } from './token-host-broker-electron.ts';

/** How to start the native process under Electron. */
export interface UtilityProcessSpawnerOptions {
  /** The bundled native entry (dist/native/main.cjs). */
  entry: string;
  /** The bundled token host entry (dist/native/token-host.cjs), started on the native process's request. */
  tokenHostEntry: string;
  log?: (line: string) => void;
}

/** The spawner handed to NativeSupervisor, plus a kill switch for quitting. */
export interface UtilityProcessSpawner {
  /** For NativeSupervisor's `spawn` option. */
  readonly spawn: NativeSpawner;
  /** Kills every native process still alive (used on quit). */
  killAll(): void;
}

function pipeLines(
  stream: NodeJS.ReadableStream | null,
  prefix: string,
  log?: (line: string) => void,
): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      log?.(`${prefix} ${buffered.slice(0, nl)}`);
      buffered = buffered.slice(nl + 1);
    }
    if (buffered.length > 64 * 1024) buffered = buffered.slice(-64 * 1024);
  });
}

export function utilityProcessSpawner(
  options: UtilityProcessSpawnerOptions,
): UtilityProcessSpawner {
  const alive = new Set<UtilityProcess>();
  const brokers = new Set<TokenHostBroker>();

  const spawn: NativeSpawner = () => {
    const child = utilityProcess.fork(options.entry, [], {
      serviceName: 'Niêm native',
      stdio: 'pipe',
      execArgv: [...NATIVE_NODE_FLAGS],
    });
    alive.add(child);
    child.once('exit', () => alive.delete(child));
    child.on('error', (type, location) => options.log?.(`native process ${type} at ${location}`));
    pipeLines(child.stdout, '[native]', options.log);
    pipeLines(child.stderr, '[native]', options.log);
    const broker = tokenHostBroker(child, {
      entry: options.tokenHostEntry,
      pipe: (stream) => pipeLines(stream, '[token-host]', options.log),
      ...(options.log ? { log: options.log } : {}),
    });
    brokers.add(broker);
    child.once('exit', () => brokers.delete(broker));

    const handle: NativeChild = {
      get pid() {
        return child.pid;
      },
      postMessage(message) {
        if (!alive.has(child)) throw new Error('native process has exited');
        child.postMessage(message);
      },
      onMessage(listener) {
        // token-host requests are the broker's; everything else is the supervisor's
        child.on('message', (message: unknown) => {
          if (!broker(message)) listener(message);
        });
      },
      onExit(listener) {
        child.once('exit', (code) => listener({ code, signal: null }));
      },
      kill() {
        child.kill();
      },
    };
    return handle;
  };

  return {
    spawn,
    killAll() {
      for (const broker of brokers) broker.killAll();
      for (const child of alive) child.kill();
    },
  };
}
