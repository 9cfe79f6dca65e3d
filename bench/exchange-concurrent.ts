/**
 * Concurrent clients against one platform (issue 6, "50 concurrent clients"): every client
 * is a clerk of one of a few agencies with its own Niêm platform client (own session, own
 * connections). All start at once; each signs in, then runs `rounds` rounds of: upload a
 * small package (sealed beforehand, untimed, to another agency), read its mailbox (a page
 * of up to 100) and acknowledge what it read. Latency is kept per operation type; every
 * error is kept and printed (there must be none).
 *
 * HTTP requests per operation: sign-in 2 (challenge, session), upload 3 (start, one
 * chunk, complete), mailbox 1, ack 1; each request's latency is kept too, by route
 * (./exchange-http.ts).
 */
import type { PlatformApi } from '../native/sync/platform-api.ts';
import { round1, round2 } from './bench-child.ts';
import { recordHttp } from './exchange-http.ts';
import { benchClient, pemDers, type ClerkIdentity } from './exchange-pki.ts';
import { memorySource, sealSmall, type SmallPackage } from './exchange-small.ts';
import {
  cpuWindow,
  perSecond,
  since,
  summarise,
  type CpuProbes,
  type LatencySummary,
} from './exchange-stats.ts';

const operations = ['signIn', 'upload', 'mailbox', 'ack'] as const;
type Operation = (typeof operations)[number];

export interface ClientError {
  client: number;
  organId: string;
  operation: Operation;
  kind: string;
  message: string;
}

export interface ConcurrentResult {
  clients: number;
  agencies: number;
  rounds: number;
  documentBytes: number;
  seal: { packages: number; seconds: number };
  wallSeconds: number;
  /** CPU time of the bench process (every client) over wallSeconds. */
  clientCpuSeconds: number;
  /** The platform's CPU time over wallSeconds. */
  serverCpuSeconds: number;
  /** The rest of the machine's over wallSeconds. */
  otherCpuSeconds: number;
  operationsPerSecond: number;
  httpRequests: number;
  httpRequestsPerSecond: number;
  /** By operation, as a clerk's client sees it. */
  latency: Record<Operation, LatencySummary>;
  /** By HTTP request (route), to the reply's headers. */
  httpLatency: Record<string, LatencySummary>;
  httpStatuses: Record<string, number>;
  errorCount: number;
  errors: ClientError[];
}

export async function concurrentClients(o: {
  url: string;
  caChainPem: string;
  /** One per client. */
  clerks: readonly ClerkIdentity[];
  /** One clerk of each agency: who a package to that agency is sealed for. */
  agencyClerks: readonly ClerkIdentity[];
  rounds: number;
  documentBytes: number;
  cpu: CpuProbes;
  progress: (line: string) => void;
}): Promise<ConcurrentResult> {
  const [, issuing] = pemDers(o.caChainPem) as [Uint8Array, Uint8Array];
  const s0 = performance.now();
  const work: SmallPackage[][] = [];
  for (const [i, clerk] of o.clerks.entries()) {
    const others = o.agencyClerks.filter((a) => a.organId !== clerk.organId);
    const mine: SmallPackage[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const to = others[(i + r) % others.length] as ClerkIdentity;
      mine.push(await sealSmall(clerk, [to], issuing, o.documentBytes, i * o.rounds + r));
    }
    work.push(mine);
  }
  const sealSeconds = since(s0) / 1000;
  o.progress(`sealed ${o.clerks.length * o.rounds} packages in ${round1(sealSeconds)} s`);

  const latencies: Record<Operation, number[]> = { signIn: [], upload: [], mailbox: [], ack: [] };
  const errors: ClientError[] = [];
  const clients: PlatformApi[] = o.clerks.map((c) => benchClient(o.url, o.caChainPem, c));
  const timed = async (i: number, operation: Operation, f: () => Promise<unknown>) => {
    const t = performance.now();
    try {
      await f();
      latencies[operation].push(since(t));
      return true;
    } catch (err) {
      const e: ClientError = {
        client: i,
        organId: (o.clerks[i] as ClerkIdentity).organId,
        operation,
        kind: err instanceof Error && 'kind' in err ? String(err.kind) : 'error',
        message: err instanceof Error ? err.message : String(err),
      };
      errors.push(e);
      process.stderr.write(`bench error: ${JSON.stringify(e)}\n`);
      return false;
    }
  };

  const window = cpuWindow(o.cpu);
  const stopHttp = recordHttp();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (client, i) => {
      if (!(await timed(i, 'signIn', () => client.authenticate()))) return;
      for (const pkg of work[i] as SmallPackage[]) {
        await timed(i, 'upload', () => client.upload(memorySource(pkg), () => undefined));
        let last: string | undefined;
        await timed(i, 'mailbox', async () => {
          last = (await client.mailbox(undefined, 100)).entries.at(-1)?.cursor;
        });
        if (last !== undefined) {
          const cursor = last;
          await timed(i, 'ack', () => client.ack(cursor));
        }
      }
    }),
  );
  const wall = since(t0) / 1000;
  const http = stopHttp();
  const cpu = process.cpuUsage(cpu0);
  const clientCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const used = window(clientCpuSeconds);
  await Promise.all(clients.map((c) => c.close()));
  const count = (op: Operation): number => latencies[op].length;
  const ops = operations.reduce((sum, op) => sum + count(op), 0);
  const requests = Object.values(http.latency).reduce((sum, l) => sum + l.count, 0);
  return {
    clients: o.clerks.length,
    agencies: o.agencyClerks.length,
    rounds: o.rounds,
    documentBytes: o.documentBytes,
    seal: { packages: o.clerks.length * o.rounds, seconds: round2(sealSeconds) },
    wallSeconds: round2(wall),
    clientCpuSeconds: round2(clientCpuSeconds),
    ...used,
    operationsPerSecond: perSecond(ops, wall),
    httpRequests: requests,
    httpRequestsPerSecond: perSecond(requests, wall),
    latency: {
      signIn: summarise(latencies.signIn),
      upload: summarise(latencies.upload),
      mailbox: summarise(latencies.mailbox),
      ack: summarise(latencies.ack),
    },
    httpLatency: http.latency,
    httpStatuses: http.statuses,
    errorCount: errors.length,
    errors,
  };
}
