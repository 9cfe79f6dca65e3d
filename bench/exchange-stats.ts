/**
 * Small figures helpers of the exchange bench: latency summaries (nearest-rank
 * percentiles) and the median of repeated runs.
 */
import { round1, round2 } from './bench-child.ts';

/** Latencies of one kind of operation, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

/** The nearest-rank percentile `p` (0–100) of ascending `sorted`. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function summarise(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    p50Ms: round2(percentile(sorted, 50)),
    p99Ms: round2(percentile(sorted, 99)),
    meanMs: round2(sorted.length === 0 ? Number.NaN : sum / sorted.length),
    maxMs: round2(sorted.at(-1) ?? Number.NaN),
  };
}

/** The median of `values` (the lower middle one for an even count: a value that was measured). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

/** Milliseconds since `start` (a performance.now() value). */
export const since = (start: number): number => performance.now() - start;

/** A rate with one decimal: `count` per `seconds`. */
export const perSecond = (count: number, seconds: number): number => round1(count / seconds);

/** CPU clocks of the platform process and of the whole machine, in seconds. */
export interface CpuProbes {
  server: () => number;
  machine: () => number;
}

/** What the server and the rest of the machine used over a window, seconds. */
export interface CpuWindow {
  serverCpuSeconds: number;
  /** The machine's busy time minus the server and the clients: other work. */
  otherCpuSeconds: number;
}

/** Starts a window; its end is told the clients' own CPU time over the same window. */
export function cpuWindow(probes: CpuProbes): (clientCpuSeconds: number) => CpuWindow {
  const server0 = probes.server();
  const machine0 = probes.machine();
  return (clientCpuSeconds) => {
    const server = probes.server() - server0;
    const machine = probes.machine() - machine0;
    return {
      serverCpuSeconds: round2(server),
      otherCpuSeconds: round2(Math.max(0, machine - server - clientCpuSeconds)),
    };
  };
}
