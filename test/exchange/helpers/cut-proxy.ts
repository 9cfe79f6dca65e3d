/**
 * A TCP proxy on 127.0.0.1 in front of the platform that cuts the network on command: the
 * "network cut" of the exchange fault tests. It forwards bytes both ways untouched (TLS
 * passes through end to end) and can drop every open connection once a number of bytes
 * went from client to server (the cable pulled mid-upload) or from server to client
 * (mid-download), or refuse new connections while "unplugged".
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** What the proxy does to the next bytes. */
export interface CutPlan {
  /** Drop all connections once this many client→server bytes passed (counted from the plan). */
  afterUpBytes?: number;
  /** Drop all connections once this many server→client bytes passed. */
  afterDownBytes?: number;
  /** After the cut, refuse (reset) new connections until `plug()` is called. */
  stayUnplugged?: boolean;
}

export interface CutProxy {
  /** `https://127.0.0.1:PORT`, to give the client instead of the platform's address. */
  readonly url: string;
  readonly port: number;
  /** Arms a cut; resolves when it happened. */
  cut(plan: CutPlan): Promise<void>;
  /** Resolves once this many more bytes went up (client→server) or down; cuts nothing. */
  waitFor(bytes: { up?: number; down?: number }): Promise<void>;
  /** Bytes forwarded since the start: client→server and server→client. */
  readonly totals: { up: number; down: number };
  /**
   * Resolves true once no client connection is open (what they had sent is forwarded
   * first), false if one is still open after `timeoutMs`.
   */
  idle(timeoutMs: number): Promise<boolean>;
  /** Drops every open connection now. */
  dropAll(): void;
  /** Accepts connections again after a cut with stayUnplugged. */
  plug(): void;
  /** How many cuts happened. */
  readonly cuts: number;
  close(): Promise<void>;
}

/** Starts a proxy to `targetPort` on 127.0.0.1. */
export async function startCutProxy(targetPort: number, scheme = 'https'): Promise<CutProxy> {
  const open = new Set<Socket>();
  const clients = new Set<Socket>();
  let unplugged = false;
  let cuts = 0;
  let plan: (CutPlan & { up: number; down: number; done: () => void }) | undefined;
  const totals = { up: 0, down: 0 };
  let watchers: { up: number; down: number; done: () => void }[] = [];
  const checkWatchers = (): void => {
    const due = watchers.filter((w) => totals.up >= w.up || totals.down >= w.down);
    watchers = watchers.filter((w) => !due.includes(w));
    for (const w of due) w.done();
  };

  const dropAll = (): void => {
    for (const s of open) s.destroy();
    open.clear();
  };
  const maybeCut = (): void => {
    if (plan === undefined) return;
    const upHit = plan.afterUpBytes !== undefined && plan.up >= plan.afterUpBytes;
    const downHit = plan.afterDownBytes !== undefined && plan.down >= plan.afterDownBytes;
    if (!upHit && !downHit) return;
    const { done, stayUnplugged } = plan;
    plan = undefined;
    cuts += 1;
    if (stayUnplugged) unplugged = true;
    dropAll();
    done();
  };

  const server: Server = createServer((client) => {
    if (unplugged) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    clients.add(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      clients.delete(client);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.on('data', (chunk: Buffer) => {
      if (plan) plan.up += chunk.length;
      totals.up += chunk.length;
      if (!upstream.write(chunk)) client.pause();
      maybeCut();
      checkWatchers();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (chunk: Buffer) => {
      if (plan) plan.down += chunk.length;
      totals.down += chunk.length;
      if (!client.write(chunk)) upstream.pause();
      maybeCut();
      checkWatchers();
    });
    client.on('drain', () => upstream.resume());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no port');
  const port = address.port;

  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    get cuts() {
      return cuts;
    },
    cut(next: CutPlan): Promise<void> {
      return new Promise<void>((resolve) => {
        plan = { ...next, up: 0, down: 0, done: resolve };
      });
    },
    totals,
    waitFor(bytes: { up?: number; down?: number }): Promise<void> {
      return new Promise<void>((resolve) => {
        watchers.push({
          up: bytes.up === undefined ? Infinity : totals.up + bytes.up,
          down: bytes.down === undefined ? Infinity : totals.down + bytes.down,
          done: resolve,
        });
      });
    },
    async idle(timeoutMs: number): Promise<boolean> {
      const until = performance.now() + timeoutMs;
      while (clients.size > 0 && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return clients.size === 0;
    },
    dropAll,
    plug(): void {
      unplugged = false;
    },
    async close(): Promise<void> {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port free right now (for a platform that must restart on the same port). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
