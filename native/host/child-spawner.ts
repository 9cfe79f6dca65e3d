/**
 * The plain-Node spawner: runs a process entry (native/main.ts, or the token host from
 * inside the native process) as a child of the current Node, which must be the
 * project's Node 24 (able to run TypeScript directly), or a bundled .cjs entry. Used by
 * the test bridge, the CLI and the demo; Electron uses utilityProcesses instead.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NATIVE_NODE_FLAGS } from './node-flags.ts';
import type { NativeChild, NativeSpawner } from './supervisor.ts';
import type { HostToNative } from '../api/host-protocol.ts';

export const nativeEntry = fileURLToPath(new URL('../main.ts', import.meta.url));
export const tokenHostEntry = fileURLToPath(new URL('../token-host/main.ts', import.meta.url));

export interface ChildSpawnerOptions {
  /** Script to run. Default: the native process entry. */
  entry?: string;
  /** Environment of the native process (PKCS#11 module, SOFTHSM2_CONF, settings). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Receives each line the native process writes to stderr. Default: dropped. */
  onStderr?: (line: string) => void;
}

export function childSpawner(options: ChildSpawnerOptions = {}): NativeSpawner {
  return () => {
    const child = fork(options.entry ?? nativeEntry, [], {
      execArgv: ['--disable-warning=ExperimentalWarning', ...NATIVE_NODE_FLAGS],
      env: options.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let buffered = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        options.onStderr?.(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    const handle: NativeChild = {
      get pid() {
        return child.pid;
      },
      postMessage(message: HostToNative) {
        if (!child.connected) throw new Error('native process disconnected');
        child.send(message);
      },
      onMessage(listener) {
        child.on('message', listener);
      },
      onExit(listener) {
        child.once('exit', (code, signal) => listener({ code, signal }));
      },
      kill() {
        child.kill('SIGKILL');
      },
    };
    return handle;
  };
}
