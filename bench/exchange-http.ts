/**
 * Per-request latency of the platform client's HTTP requests, read from Node's http
 * diagnostics channels (`http.client.request.start` → `http.client.response.finish`, i.e.
 * from the request's creation to its reply's headers) and grouped by route of the wire
 * protocol. The client code is not touched: the channels see every request of this process.
 */
import dc from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { summarise, type LatencySummary } from './exchange-stats.ts';

/** Route names by method and path (query left out). */
const ROUTES: [string, RegExp, string][] = [
  ['POST', /^\/v1\/auth\/challenge$/, 'challenge'],
  ['POST', /^\/v1\/auth\/session$/, 'session'],
  ['POST', /^\/v1\/uploads$/, 'startUpload'],
  ['PUT', /^\/v1\/uploads\/[0-9a-f]{64}\/chunks\/[0-9]+$/, 'putChunk'],
  ['POST', /^\/v1\/uploads\/[0-9a-f]{64}\/complete$/, 'completeUpload'],
  ['GET', /^\/v1\/uploads\/[0-9a-f]{64}$/, 'uploadStatus'],
  ['GET', /^\/v1\/mailbox$/, 'mailbox'],
  ['POST', /^\/v1\/mailbox\/ack$/, 'ack'],
  ['GET', /^\/v1\/packages\/[0-9a-f]{64}$/, 'download'],
  ['POST', /^\/v1\/notices$/, 'postNotice'],
  ['GET', /^\/v1\/directory$/, 'directory'],
];

function routeOf(method: string, path: string): string {
  const bare = path.split('?')[0] ?? '';
  return ROUTES.find(([m, re]) => m === method && re.test(bare))?.[2] ?? `${method} other`;
}

/** Starts recording; `stop()` ends it and returns the latencies by route and the statuses. */
export function recordHttp(): () => {
  latency: Record<string, LatencySummary>;
  statuses: Record<string, number>;
} {
  const started = new WeakMap<ClientRequest, number>();
  const byRoute = new Map<string, number[]>();
  const statuses: Record<string, number> = {};
  const onStart = (message: unknown): void => {
    started.set((message as { request: ClientRequest }).request, performance.now());
  };
  const onFinish = (message: unknown): void => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const t = started.get(request);
    if (t === undefined) return;
    const route = routeOf(request.method, request.path);
    const list = byRoute.get(route) ?? [];
    list.push(performance.now() - t);
    byRoute.set(route, list);
    const status = String(response.statusCode);
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  dc.subscribe('http.client.request.start', onStart);
  dc.subscribe('http.client.response.finish', onFinish);
  return () => {
    dc.unsubscribe('http.client.request.start', onStart);
    dc.unsubscribe('http.client.response.finish', onFinish);
    const latency: Record<string, LatencySummary> = {};
    for (const [route, list] of [...byRoute].sort(([a], [b]) => a.localeCompare(b))) {
      latency[route] = summarise(list);
    }
    return { latency, statuses };
  };
}
