/**
 * Smoke run of the whole-sync bench (`node bench/exchange-sync-gib.ts --mib 4`): the real
 * CLI sends a 4 MiB document through a real platform process on the demo tokens and the
 * bench prints JSON of the documented shape, every step measured and the document
 * received byte for byte. No figure is compared with a target (not even the 160 MiB
 * bound: a smoke run is not the measure); tests make no timed assertions (bench/README.md).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const repoRoot = join(import.meta.dirname, '..', '..');
const STEPS = [
  'baselineSync',
  'draftCreate',
  'seal',
  'syncUpload',
  'syncReceive',
  'inboxExport',
  'syncNotices',
];

type Json = Record<string, unknown>;

const obj = (value: unknown, what: string): Json => {
  assert.ok(typeof value === 'object' && value !== null, `${what} is an object`);
  return value as Json;
};
const positive = (value: unknown, what: string): number => {
  assert.ok(typeof value === 'number' && Number.isFinite(value) && value > 0, `${what}: ${value}`);
  return value;
};

describe('bench/exchange-sync-gib.ts --mib 4', () => {
  it('measures every step of the exchange through the CLI, the document arriving intact', () => {
    const r = spawnSync(process.execPath, ['bench/exchange-sync-gib.ts', '--mib', '4'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    assert.equal(r.status, 0, r.stderr);
    const result = obj(JSON.parse(r.stdout), 'result');
    assert.equal(result.bench, 'exchange-sync-gib');
    assert.equal(result.sizeMiB, 4);
    assert.equal(result.documentIdentical, true);
    positive(result.packageBytes, 'packageBytes');
    assert.ok((result.packageBytes as number) > 4 * 1024 * 1024, 'the package holds 4 MiB');

    const steps = obj(result.steps, 'steps');
    assert.deepEqual(Object.keys(steps).sort(), [...STEPS].sort());
    for (const name of STEPS) {
      const step = obj(steps[name], name);
      positive(step.seconds, `${name}.seconds`);
      const rss = positive(step.peakRssMiB, `${name}.peakRssMiB`);
      assert.ok(rss > 20 && rss < 1024, `${name}.peakRssMiB ${rss}: above 20 MiB, below 1 GiB`);
      positive(step.cpuSeconds, `${name}.cpuSeconds`);
    }

    const checks = obj(result.checks, 'checks');
    assert.equal(checks.inboxRows, 1);
    assert.equal(checks.receiptHeld, true);
    assert.equal(checks.delivered, true);
    assert.equal((checks.noticesBack as unknown[]).length, 2);

    const met = obj(result.met, 'met');
    assert.equal(typeof met.syncUpload, 'boolean');
    assert.equal(typeof met.syncReceive, 'boolean');
    assert.equal(obj(result.targets, 'targets').peakRssMiB, 160);

    const peer = obj(result.peer, 'peer');
    if (peer.ran === true) {
      const open = obj(peer.open, 'peer.open');
      positive(open.seconds, 'peer.open.seconds');
      positive(open.peakRssMiB, 'peer.open.peakRssMiB');
      assert.equal(open.outputIdentical, true);
    } else {
      assert.equal(typeof peer.why, 'string', 'a peer not run says why');
    }
    assert.ok(Array.isArray(result.notes) && result.notes.length > 0);
    const load = obj(obj(result.machine, 'machine').loadAverage, 'loadAverage');
    assert.ok(Array.isArray(load.start) && Array.isArray(load.end));
  });
});
