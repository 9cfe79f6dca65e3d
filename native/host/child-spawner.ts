/**
 * The plain-Node spawner: runs native/main.ts as a child process of the current Node
 * (which must be the project's Node 24, able to run TypeScript directly). Used by the
 * test bridge, the CLI and the demo; Electron uses a utilityProcess instead.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NativeChild, NativeSpawner } from './supervisor.ts';
import type { HostToNative } from '../api/host-protocol.ts';

export const nativeEntry = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface ChildSpawnerOptions {
  /** Environment of the native process (PKCS#11 module, SOFTHSM2_CONF, settings). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Receives each line the native process writes to stderr. Default: dropped. */
  onStderr?: (line: string) => void;
}

export function childSpawner(options: ChildSpawnerOptions = {}): NativeSpawner {
  return () => {
    const child = fork(nativeEntry, [], {
      execArgv: ['--disable-warning=ExperimentalWarning'],
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
