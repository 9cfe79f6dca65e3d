/**
 * The token-host spawner of the native process under Electron. A utilityProcess cannot
 * start utilityProcesses, and the runAsNode fuse (off, for security) forbids forking
 * the Electron binary as Node; so the native process asks Electron main (the broker) to
 * start the token host and hand both sides a MessagePort. Exits and kills travel as
 * messages on the native process's parentPort:
 *   native → main: { t: 'token-host.spawn', id }, { t: 'token-host.kill', id }
 *   main → native: { t: 'token-host.port', id } + port, { t: 'token-host.exit', id, code }
 */
import type { HostToNative } from '../api/host-protocol.ts';
import type { NativeChild, NativeSpawner } from './rpc-supervisor.ts';

interface BrokerPort {
  on(event: 'message', listener: (event: { data: unknown; ports?: ChannelPort[] }) => void): void;
  postMessage(message: unknown): void;
}

interface ChannelPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
  start?(): void;
  close?(): void;
}

type BrokerMessage =
  { t: 'token-host.port'; id: number } | { t: 'token-host.exit'; id: number; code: number | null };

function brokerMessage(data: unknown): BrokerMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { t, id } = data as { t?: unknown; id?: unknown };
  if (typeof id !== 'number') return undefined;
  if (t === 'token-host.port' || t === 'token-host.exit') return data as BrokerMessage;
  return undefined;
}

export function brokeredSpawner(parentPort: BrokerPort): NativeSpawner {
  let nextId = 1;
  const children = new Map<
    number,
    { attach: (port: ChannelPort) => void; exited: (code: number | null) => void }
  >();
  parentPort.on('message', (event) => {
    const message = brokerMessage(event.data);
    if (!message) return;
    const child = children.get(message.id);
    if (!child) return;
    if (message.t === 'token-host.port') {
      const port = event.ports?.[0];
      if (port) child.attach(port);
    } else {
      children.delete(message.id);
      child.exited(message.code);
    }
  });

  return () => {
    const id = nextId++;
    let port: ChannelPort | undefined;
    let dead = false;
    const queue: HostToNative[] = [];
    const messageListeners: ((m: unknown) => void)[] = [];
    const exitListeners: ((i: { code: number | null; signal: string | null }) => void)[] = [];
    children.set(id, {
      attach(p) {
        port = p;
        p.on('message', (event) => messageListeners.forEach((l) => l(event.data)));
        p.start?.();
        for (const m of queue.splice(0)) p.postMessage(m);
      },
      exited(code) {
        dead = true;
        port?.close?.();
        exitListeners.forEach((l) => l({ code, signal: null }));
      },
    });
    parentPort.postMessage({ t: 'token-host.spawn', id });
    const handle: NativeChild = {
      pid: undefined,
      postMessage(message) {
        if (dead) throw new Error('token host has exited');
        if (port) port.postMessage(message);
        else queue.push(message);
      },
      onMessage(listener) {
        messageListeners.push(listener);
      },
      onExit(listener) {
        exitListeners.push(listener);
      },
      kill() {
        parentPort.postMessage({ t: 'token-host.kill', id });
      },
    };
    return handle;
  };
}
