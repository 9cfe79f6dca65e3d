/**
 * Starts token hosts for a native process. A utilityProcess cannot start one itself, so
 * the native process asks (`token-host.spawn`) and main starts the token host as a
 * utilityProcess of its own, then connects the two with a MessageChannel: main carries
 * no token traffic, only the start, the kill and the exit notice. See
 * native/host/brokered-spawner.ts for the native side.
 */
import { MessageChannelMain, utilityProcess, type UtilityProcess } from 'electron';

export interface TokenHostBrokerOptions {
  /** The bundled token host entry (dist/native/token-host.cjs). */
  entry: string;
  /** Receives each line the token host writes. */
  pipe: (stream: NodeJS.ReadableStream | null) => void;
  log?: (line: string) => void;
}

/** Token-host requests of one native process; returns true when `message` was one. */
export type TokenHostBroker = ((message: unknown) => boolean) & { killAll(): void };

export function tokenHostBroker(
  native: UtilityProcess,
  options: TokenHostBrokerOptions,
): TokenHostBroker {
  const hosts = new Map<number, UtilityProcess>();

  const spawn = (id: number) => {
    const host = utilityProcess.fork(options.entry, [], {
      serviceName: 'Niêm token host',
      stdio: 'pipe',
    });
    hosts.set(id, host);
    options.pipe(host.stdout);
    options.pipe(host.stderr);
    host.on('error', (type, location) => options.log?.(`token host ${type} at ${location}`));
    host.once('exit', (code) => {
      hosts.delete(id);
      if (native.pid !== undefined) native.postMessage({ t: 'token-host.exit', id, code });
    });
    const { port1, port2 } = new MessageChannelMain();
    host.postMessage({ t: 'connect' }, [port1]);
    native.postMessage({ t: 'token-host.port', id }, [port2]);
  };

  const handle = (message: unknown): boolean => {
    if (typeof message !== 'object' || message === null) return false;
    const { t, id } = message as { t?: unknown; id?: unknown };
    if (typeof t !== 'string' || !t.startsWith('token-host.')) return false;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return true;
    if (t === 'token-host.spawn' && !hosts.has(id)) spawn(id);
    else if (t === 'token-host.kill') hosts.get(id)?.kill();
    return true;
  };

  const killAll = () => {
    for (const host of hosts.values()) host.kill();
    hosts.clear();
  };
  native.once('exit', killAll);
  return Object.assign(handle, { killAll });
}
