/**
 * Smoke run of the exchange bench (`node bench/exchange-bench.ts --quick`): it runs to
 * the end against a real platform process and prints JSON of the documented shape, with
 * every count as asked and no error. No figure is compared with a target: tests make no
 * timed assertions (bench/README.md).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const repoRoot = join(import.meta.dirname, '..', '..');

type Json = Record<string, unknown>;

const obj = (value: unknown, what: string): Json => {
  assert.ok(typeof value === 'object' && value !== null, `${what} is an object`);
  return value as Json;
};
const positive = (value: unknown, what: string): void => {
  assert.ok(typeof value === 'number' && Number.isFinite(value) && value > 0, `${what}: ${value}`);
};

function checkMeasured(m: unknown, what: string): void {
  const measured = obj(m, what);
  for (const key of ['mibPerSec', 'transferMibPerSec', 'seconds', 'clientPeakRssMiB']) {
    positive(measured[key], `${what}.${key}`);
  }
}

function checkLatency(l: unknown, what: string, count: number): void {
  const latency = obj(l, what);
  assert.equal(latency.count, count, `${what}.count`);
  for (const key of ['p50Ms', 'p99Ms', 'meanMs', 'maxMs']) positive(latency[key], `${what}.${key}`);
}

describe('bench/exchange-bench.ts --quick', () => {
  it('prints the three measurements as JSON, with no error', () => {
    const r = spawnSync(process.execPath, ['bench/exchange-bench.ts', '--quick'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    assert.equal(r.status, 0, r.stderr);
    const result = obj(JSON.parse(r.stdout), 'result');
    assert.equal(result.bench, 'exchange');
    assert.equal(result.quick, true);
    assert.equal(result.errors, 0);

    const upload = obj(result.upload, 'upload');
    assert.equal(upload.runs, 1);
    assert.equal(upload.chunks, 2, 'an 8 MiB document makes 2 chunks of 8 MiB');
    for (const side of ['niem', 'curl', 'curlParallel2']) {
      const s = obj(upload[side], side);
      checkMeasured(s.median, `${side}.median`);
      assert.ok(Array.isArray(s.runs) && s.runs.length === 1);
    }
    positive(upload.ratio, 'ratio');
    positive(upload.transferRatio, 'transferRatio');

    const small = obj(result.small, 'small');
    assert.equal(small.packages, 20);
    assert.equal(small.noticesVerified, 20);
    positive(small.packagesPerSecond, 'packagesPerSecond');
    checkLatency(small.uploadLatency, 'small.uploadLatency', 20);
    checkLatency(small.receiveLatency, 'small.receiveLatency', 20);

    const concurrent = obj(result.concurrent, 'concurrent');
    assert.equal(concurrent.clients, 4);
    assert.equal(concurrent.errorCount, 0);
    assert.deepEqual(concurrent.errors, []);
    const latency = obj(concurrent.latency, 'concurrent.latency');
    checkLatency(latency.signIn, 'signIn', 4);
    checkLatency(latency.upload, 'upload', 8);
    checkLatency(latency.mailbox, 'mailbox', 8);
    positive(concurrent.httpRequestsPerSecond, 'httpRequestsPerSecond');
    assert.equal(obj(result.met, 'met').concurrentErrors, true);
  });
});
