/**
 * The native service's exchange views, pure: transport states and errors in the
 * contract's words (whatever shape the row or event has), a verification report as the
 * UI shows it (verdict, signers, documents with their hash status, a report as JSON kept
 * it), and the sync service: started and stopped with the vault, engine events turned
 * into contract events, events of a stopped engine dropped, "sync now" reported.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventName, EventPayload } from '../../native/api/contract.ts';
import { NiemError } from '../../native/api/errors.ts';
import type { PackageReport } from '../../native/seal/pipeline/index.ts';
import { documentViews, verificationView } from '../../native/service/inbox-view.ts';
import { errorOf, storedError, transportStateOf } from '../../native/service/outbox-view.ts';
import {
  SyncService,
  type SyncEngineEvent,
  type SyncEngineHandle,
} from '../../native/service/sync-service.ts';

describe('outbox view', () => {
  it('names every state the contract knows, older ones too', () => {
    assert.equal(transportStateOf('sending', null), 'uploading');
    assert.equal(transportStateOf('failed', '2026-01-01T00:00:00.000Z'), 'failed-retrying');
    assert.equal(transportStateOf('failed', null), 'failed');
    assert.equal(transportStateOf('delivered', null), 'delivered');
    assert.equal(transportStateOf('bogus', null), 'queued');
  });

  it('reads errors as WireErrors: objects with code and agency, `kind: message`, bare text', () => {
    assert.deepEqual(
      errorOf({
        kind: 'platform-refused',
        message: 'no',
        code: 'recipient-not-cleared',
        organId: '000.00.00.G99',
      }),
      {
        kind: 'platform-refused',
        message: 'no',
        detail: { code: 'recipient-not-cleared', organId: '000.00.00.G99' },
      },
    );
    assert.deepEqual(errorOf(new NiemError('platform-unreachable', 'refused')), {
      kind: 'platform-unreachable',
      message: 'refused',
    });
    assert.deepEqual(storedError('platform-untrusted: bad chain'), {
      kind: 'platform-untrusted',
      message: 'bad chain',
    });
    assert.deepEqual(storedError('socket hang up'), {
      kind: 'internal',
      message: 'socket hang up',
    });
    assert.equal(storedError(null), null);
  });
});

const signer = {
  commonName: 'Văn thư VPCP',
  organization: 'Văn phòng Chính phủ',
  organizationIdentifier: '000.00.00.G22',
  serialNumber: '0A',
  signingTime: '2026-01-02T03:04:05.000Z', // as a stored report has it: JSON text
  digestAlgorithm: 'sha256',
  signatureAlgorithm: 'rsa-pss-sha256',
  contentType: 'valid',
  messageDigest: 'valid',
  signature: 'valid',
  signingCertificate: 'valid',
  chain: { status: 'valid', problem: undefined, reason: undefined, path: ['0A', '01'] },
  revocation: 'not-checked',
  level: 'mat',
  verdict: 'valid',
  problems: [],
};

function report(p: Partial<PackageReport> = {}): PackageReport {
  return JSON.parse(
    JSON.stringify({
      formatVersion: 1,
      openedWith: { subject: 'CN=BTP', serial: '0B', type: 'kari' },
      tag: 'valid',
      content: 'niem-body',
      documents: [
        { name: 'a.txt', size: 3, mediaType: 'text/plain', sha256: 'aa'.repeat(32) },
        { name: 'b.txt', size: 4, mediaType: 'text/plain', sha256: 'bb'.repeat(32) },
      ],
      signedData: { signers: [signer], verdict: 'valid', level: 'mat', levelsAgree: true },
      levels: { outside: 'mat', signers: ['mat'], manifest: 'mat', inside: 'mat', agree: true },
      revocation: 'not-checked',
      committed: true,
      outDir: '',
      ...p,
    }),
  ) as PackageReport;
}

describe('inbox view', () => {
  it('a verified report: valid, its signer with chain and time, levels outside and inside', () => {
    const view = verificationView(report());
    assert.equal(view.verdict, 'valid');
    assert.equal(view.signers[0]?.organId, '000.00.00.G22');
    assert.equal(view.signers[0]?.signingTime, '2026-01-02T03:04:05.000Z');
    assert.deepEqual(view.signers[0]?.chain, { status: 'valid', reason: null, path: ['0A', '01'] });
    assert.deepEqual(view.levels, { outside: 'mat', inside: 'mat', manifest: 'mat', agree: true });
  });

  it('the verdict is the first thing that failed', () => {
    assert.equal(verificationView(report({ tag: 'invalid' })).verdict, 'tampered');
    const untrusted = report();
    (untrusted.signedData as { verdict: string }).verdict = 'untrusted';
    assert.equal(verificationView(untrusted).verdict, 'untrusted');
    const levels = report();
    (levels.levels as { agree: boolean }).agree = false;
    assert.equal(verificationView(levels).verdict, 'levels-disagree');
  });

  it('documents: matched with the kept copies by name; a different hash is a mismatch', () => {
    const kept = [
      { id: 11, name: 'a.txt', size: 3, mediaType: 'text/plain', sha256: 'aa'.repeat(32) },
      { id: 12, name: 'b.txt', size: 4, mediaType: 'text/plain', sha256: 'cc'.repeat(32) },
    ];
    assert.deepEqual(
      documentViews(report(), kept).map((d) => [d.id, d.hash, d.stored]),
      [
        [11, 'valid', true],
        [12, 'mismatch', true],
      ],
    );
    assert.deepEqual(
      documentViews(report({ committed: false }), []).map((d) => d.hash),
      ['unchecked', 'unchecked'],
    );
  });
});

class FakeEngine implements SyncEngineHandle {
  started = 0;
  stopped = 0;
  woken = 0;
  runs = 0;
  result: unknown = { error: null };
  start() {
    this.started += 1;
  }
  async stop() {
    this.stopped += 1;
  }
  async runOnce() {
    this.runs += 1;
    return this.result;
  }
  wake() {
    this.woken += 1;
  }
}

function service() {
  const events: { name: EventName; payload: unknown }[] = [];
  const sync = new SyncService({
    emit: <E extends EventName>(name: E, payload: EventPayload<E>) =>
      events.push({ name, payload }),
  });
  return { sync, events };
}

describe('sync service', () => {
  it('starts with the vault, turns engine events into contract events, stops with it', async () => {
    const { sync, events } = service();
    const engine = new FakeEngine();
    let emitEngine!: (e: SyncEngineEvent) => void;
    await sync.start(async (onEvent) => {
      emitEngine = onEvent;
      return { platform: 'https://127.0.0.1:8443', engine };
    });
    assert.equal(engine.started, 1);
    assert.deepEqual(sync.state, {
      configured: true,
      platform: 'https://127.0.0.1:8443',
      phase: 'idle',
      lastRunAt: null,
      lastError: null,
    });
    emitEngine({
      type: 'outbox',
      id: 4,
      state: 'uploading',
      bytesDone: 10,
      bytesTotal: 40,
      nextAttemptAt: null,
      error: null,
    });
    emitEngine({
      type: 'outbox',
      id: 4,
      state: 'failed-retrying',
      bytesDone: 10,
      bytesTotal: 40,
      nextAttemptAt: '2026-01-02T03:04:05.000Z',
      error: { kind: 'platform-unreachable', message: 'ECONNREFUSED' },
    });
    emitEngine({ type: 'sync', phase: 'start', at: '2026-01-02T03:00:00.000Z' });
    emitEngine({ type: 'sync', phase: 'end', at: '2026-01-02T03:01:00.000Z', error: null });
    emitEngine({ type: 'inbox', id: 9 });
    const outbox = events.filter((e) => e.name === 'outbox.changed').map((e) => e.payload);
    assert.deepEqual(outbox, [
      {
        id: 4,
        state: 'uploading',
        bytesDone: 10,
        bytesTotal: 40,
        nextAttemptAt: null,
        error: null,
        action: null,
      },
      {
        id: 4,
        state: 'failed-retrying',
        bytesDone: 10,
        bytesTotal: 40,
        nextAttemptAt: '2026-01-02T03:04:05.000Z',
        error: { kind: 'platform-unreachable', message: 'ECONNREFUSED' },
        action: null,
      },
    ]);
    assert.deepEqual(
      events.filter((e) => e.name === 'inbox.changed').map((e) => e.payload),
      [{ id: 9 }],
    );
    assert.equal(sync.state.lastRunAt, '2026-01-02T03:01:00.000Z');
    assert.equal(sync.state.phase, 'idle');

    sync.nudge();
    assert.equal(engine.woken, 1, 'a sealed package wakes the engine');
    await sync.stop();
    assert.equal(engine.stopped, 1);
    assert.equal(sync.state.phase, 'stopped');
    const before = events.length;
    emitEngine({ type: 'inbox', id: 10 });
    assert.equal(events.length, before, 'a stopped engine’s events are dropped');
  });

  it('no platform: not configured, nothing runs; a setup failure is reported, not thrown', async () => {
    const { sync } = service();
    await sync.start(async () => undefined);
    assert.equal(sync.state.configured, false);
    assert.equal(sync.now().phase, 'stopped', 'sync now without a platform does nothing');
    await sync.start(async () => {
      throw new NiemError('platform-untrusted', 'no trust anchor');
    });
    assert.equal(sync.state.lastError?.kind, 'platform-untrusted');
  });

  it('"sync now" runs a round and reports how it ended', async () => {
    const { sync } = service();
    const engine = new FakeEngine();
    engine.result = { error: { kind: 'platform-unreachable', message: 'down' } };
    await sync.start(async () => ({ platform: 'https://p:1', engine }));
    assert.equal(sync.now().phase, 'running');
    await new Promise((r) => setImmediate(r));
    assert.equal(engine.runs, 1);
    assert.equal(sync.state.phase, 'idle');
    assert.equal(sync.state.lastError?.kind, 'platform-unreachable');
  });
});
