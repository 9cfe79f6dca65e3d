/**
 * The child side of a supervised process: how its messages reach the parent. Three
 * transports, one shape:
 *  - Electron utilityProcess: `process.parentPort` (the native process);
 *  - Electron utilityProcess reached through a MessagePort the parent sends first
 *    (the token host, connected to the native process by Electron main);
 *  - Node child_process.fork: the IPC channel (`process.send`).
 */
interface PortLike {
  on(event: 'message', listener: (event: { data: unknown; ports?: PortLike[] }) => void): void;
  postMessage(message: unknown): void;
  start?(): void;
}

export interface ParentChannel {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Under fork: the parent went away. Never fires for Electron ports (the process is killed). */
  onDisconnect(listener: () => void): void;
}

const parentPort = (process as unknown as { parentPort?: PortLike }).parentPort;

/** True when this process was started by a Niêm host (either transport). */
export function hasParent(): boolean {
  return parentPort !== undefined || typeof process.send === 'function';
}

/**
 * Connects to the parent. With `viaPort`, an Electron parent first sends
 * `{ t: 'connect' }` carrying the MessagePort to use; messages before it are ignored.
 */
export function connectToParent(options: { viaPort?: boolean } = {}): Promise<ParentChannel> {
  if (parentPort && options.viaPort) {
    return new Promise((resolve) => {
      parentPort.on('message', (event) => {
        const port = event.ports?.[0];
        if ((event.data as { t?: string } | null)?.t !== 'connect' || !port) return;
        port.start?.();
        resolve(portChannel(port));
      });
    });
  }
  if (parentPort) return Promise.resolve(portChannel(parentPort, true));
  return Promise.resolve({
    post: (message) => process.send?.(message),
    onMessage: (listener) => process.on('message', listener),
    onDisconnect: (listener) => process.on('disconnect', listener),
  });
}

function portChannel(port: PortLike, isParentPort = false): ParentChannel {
  return {
    post: (message) => port.postMessage(message),
    onMessage: (listener) =>
      port.on('message', (event) => {
        // parentPort also carries broker messages for this process's own children
        const data = event.data as { t?: unknown } | null;
        if (isParentPort && typeof data?.t === 'string' && data.t.startsWith('token-host.')) return;
        listener(event.data);
      }),
    onDisconnect: () => {},
  };
}

/** The raw parentPort, for the brokered token-host spawner (Electron only). */
export function electronParentPort(): PortLike | undefined {
  return parentPort;
}
