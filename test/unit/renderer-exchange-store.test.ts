/**
 * The renderer's exchange path through a fake bridge (no React, no window): the seal's
 * checks before any call, sealing (saved first, then sealed; the outbox tab shows the
 * package; a refusal stays in the confirmation with the agency it names), live outbox
 * progress from events (progress alone reloads nothing, a change of state reloads the
 * page), opening an inbox package, sync state, and a lock dropping all of it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OutboxItemView } from '../../native/api/boxes-contract.ts';
import type { DraftDetailView } from '../../native/api/drafts-contract.ts';
import type { DirectoryAgency, OutboxChanged } from '../../native/api/exchange-contract.ts';
import type { InboxDetail } from '../../native/api/inbox-open-contract.ts';
import { createAppStore, type AppStore } from '../../renderer/src/store/app-store.ts';
import { outboxChangedOf, syncStateOf } from '../../renderer/src/store/event-payloads.ts';
import { percentOf, shownTransport } from '../../renderer/src/store/outbox-view-slice.ts';
import { agencyProblem, sealBlockers } from '../../renderer/src/store/seal-check.ts';
import { toggleCode } from '../../renderer/src/store/draft-form.ts';
import { formatTimeSoon } from '../../renderer/src/i18n/translate.ts';
import { fakeBridge, ok, settle, type FakeBridge } from './renderer-fake-bridge.ts';

const BTP = '000.00.00.G99';
const LOCAL = '000.00.00.H11';

const agency = (organId: string, clearance: DirectoryAgency['clearance'], sealable = true) => ({
  organId,
  name: organId === BTP ? 'Bộ Tư pháp' : 'Sở Nội vụ',
  clearance,
  keyTransport: 'ecdh' as const,
  certificateValidUntil: '2030-01-01T00:00:00.000Z',
  sealable,
});

const draft: DraftDetailView = {
  id: 7,
  subject: 'Báo cáo mật',
  level: 'toi-mat',
  urgency: 'khan',
  recipients: [BTP],
  documentCount: 1,
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-02T03:04:05.000Z',
  metadata: {},
  documents: [{ id: 1, name: 'a.txt', size: 3, sha256: '00', mediaType: null }],
};

const row = (p: Partial<OutboxItemView> = {}): OutboxItemView => ({
  id: 3,
  subject: 'Báo cáo mật',
  level: 'toi-mat',
  urgency: 'khan',
  recipients: [{ organId: BTP, name: 'Bộ Tư pháp' }],
  transportState: 'queued',
  attempts: 0,
  error: null,
  nextAttemptAt: null,
  action: null,
  bytesDone: 0,
  size: 1000,
  register: { year: 2026, number: 1 },
  createdAt: '2026-01-02T03:04:05.000Z',
  ...p,
});

const event = (p: Partial<OutboxChanged> = {}): OutboxChanged => ({
  id: 3,
  state: 'uploading',
  bytesDone: 250,
  bytesTotal: 1000,
  nextAttemptAt: null,
  error: null,
  action: null,
  ...p,
});

async function openStore(f: FakeBridge): Promise<AppStore> {
  f.answer('vault.state', async () => ok({ state: 'open', profile: '/p' }));
  f.answer('session.current', async () => ok({ state: 'signed-out' }));
  f.answer('tokens.list', async () => ok([]));
  f.answer('drafts.list', async () => ok({ items: [], total: 0, offset: 0, limit: 20 }));
  f.answer('outbox.list', async () => ok({ items: [row()], offset: 0, limit: 20, hasMore: false }));
  f.answer('inbox.list', async () => ok({ items: [], offset: 0, limit: 20, hasMore: false }));
  f.answer('directory.list', async () =>
    ok({ agencies: [agency(BTP, 'tuyet-mat'), agency(LOCAL, 'mat')], updatedAt: null }),
  );
  f.answer('sync.state', async () =>
    ok({
      configured: true,
      platform: 'https://127.0.0.1:8443',
      phase: 'idle',
      lastRunAt: null,
      lastError: null,
    }),
  );
  const store = createAppStore(f.bridge);
  store.getState().host.connect();
  for (let i = 0; i < 4; i += 1) await settle();
  return store;
}

describe('seal checks before any call', () => {
  it('names what blocks the seal: recipients, documents, clearance, directory, certificate', () => {
    const agencies = [
      agency(BTP, 'tuyet-mat'),
      agency(LOCAL, 'mat'),
      agency('000.00.00.A01', 'tuyet-mat', false),
    ];
    assert.deepEqual(sealBlockers([], 'mat', 0, agencies), [
      { kind: 'no-recipients' },
      { kind: 'no-documents' },
    ]);
    const found = sealBlockers(
      [BTP, LOCAL, '000.00.00.Z77', '000.00.00.A01'],
      'toi-mat',
      1,
      agencies,
    );
    assert.deepEqual(
      found.map((b) => (b.kind === 'recipient' ? `${b.organId}:${b.problem}` : b.kind)),
      [`${LOCAL}:clearance`, '000.00.00.Z77:not-in-directory', '000.00.00.A01:no-certificate'],
    );
    assert.equal(agencyProblem(agency(LOCAL, 'mat'), 'mat'), undefined, 'cleared up to its level');
    assert.equal(agencyProblem(agency(LOCAL, 'mat'), ''), undefined, 'no level chosen yet');
  });

  it('ticking an agency adds its code to the text; unticking takes it out', () => {
    assert.equal(toggleCode('', BTP, true), BTP);
    assert.equal(toggleCode(`${BTP}, ${LOCAL}`, BTP, false), LOCAL);
    assert.equal(toggleCode(BTP, BTP, true), BTP, 'never twice');
  });
});

describe('renderer store: sealing', () => {
  it('saves, then seals; the outbox tab shows the new package and its detail', async () => {
    const f = fakeBridge();
    const store = await openStore(f);
    f.answer('drafts.update', async () => ok(draft));
    f.answer('drafts.seal', async () =>
      ok({
        outboxId: 3,
        packageSha256: 'ab'.repeat(32),
        bytes: 1000,
        level: 'toi-mat',
        register: { year: 2026, number: 1 },
        recipients: [BTP],
      }),
    );
    f.answer('outbox.get', async () =>
      ok({ item: row(), packageSha256: 'ab'.repeat(32), receipt: null, notices: [] }),
    );
    store.getState().drafts.startNew();
    store.setState((s) => ({ drafts: { ...s.drafts, editor: { draft } } }));
    const { subject, level, urgency, recipients } = draft;
    assert.equal(await store.getState().drafts.seal({ subject, level, urgency, recipients }), true);
    await settle();
    assert.deepEqual(
      f.called('drafts.').filter((m) => m !== 'drafts.list'),
      ['drafts.update', 'drafts.seal'],
    );
    const s = store.getState();
    assert.equal(s.drafts.editor, null);
    assert.equal(s.drafts.done, 'sealed');
    assert.equal(s.boxes.tab, 'outbox');
    assert.equal(s.outboxView.selectedId, 3);
    assert.equal(s.outboxView.detail?.item.id, 3);
  });

  it('a refusal stays with the confirmation, naming the agency; the editor keeps the draft', async () => {
    const f = fakeBridge();
    const store = await openStore(f);
    f.answer('drafts.update', async () => ok(draft));
    f.answer('drafts.seal', async () => ({
      ok: false,
      error: {
        kind: 'not-authorised',
        message: 'x',
        detail: { organId: LOCAL, code: 'clearance' },
      },
    }));
    store.setState((s) => ({ drafts: { ...s.drafts, editor: { draft } } }));
    const { subject, level, urgency, recipients } = draft;
    assert.equal(
      await store.getState().drafts.seal({ subject, level, urgency, recipients }),
      false,
    );
    const s = store.getState();
    assert.equal(s.drafts.sealError?.kind, 'not-authorised');
    assert.equal(s.drafts.sealError?.detail?.organId, LOCAL);
    assert.equal(s.drafts.error, null, 'not shown twice');
    assert.equal(s.drafts.editor?.draft?.id, 7);
    assert.equal(s.drafts.sealing, false);
  });
});

describe('renderer store: the outbox as it moves', () => {
  it('progress updates the live state only; a change of state reloads the page', async () => {
    const f = fakeBridge();
    const store = await openStore(f);
    const before = f.called('outbox.list').length;
    f.emit('outbox.changed', event());
    f.emit('outbox.changed', event({ bytesDone: 500 }));
    assert.equal(
      shownTransport(row({ transportState: 'uploading' }), store.getState().outboxView.live[3])
        .percent,
      50,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(f.called('outbox.list').length, before + 1, 'queued → uploading: one reload');
    f.emit('outbox.changed', event({ bytesDone: 900 }));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(f.called('outbox.list').length, before + 1, 'progress alone: none');
    f.emit('outbox.changed', event({ state: 'sent', bytesDone: 1000 }));
    assert.equal(shownTransport(row(), store.getState().outboxView.live[3]).state, 'sent');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(f.called('outbox.list').length, before + 2);
  });

  it('percent: whole, never 100 before the end; failed-retrying keeps its next attempt', () => {
    assert.equal(percentOf(999, 1000), 99);
    assert.equal(percentOf(1000, 1000), 100);
    assert.equal(percentOf(0, 0), null);
    const shown = shownTransport(
      row(),
      event({
        state: 'failed-retrying',
        nextAttemptAt: '2026-01-02T09:30:00.000Z',
        error: { kind: 'platform-unreachable', message: '' },
      }),
    );
    assert.equal(shown.state, 'failed-retrying');
    assert.equal(shown.nextAttemptAt, '2026-01-02T09:30:00.000Z');
    assert.equal(shown.percent, null);
  });

  it('refuses event payloads it cannot name', () => {
    assert.equal(outboxChangedOf({ id: 1, state: 'sending' }), null);
    assert.equal(outboxChangedOf({ id: '1', state: 'sent' }), null);
    assert.ok(outboxChangedOf(event()));
    assert.equal(syncStateOf({ state: { phase: 'bogus' } }), null);
  });

  it('the next attempt reads HH:mm today, with the date on another day', () => {
    const now = new Date('2026-03-04T05:00:00.000Z');
    assert.equal(formatTimeSoon('2026-03-04T09:30:00.000Z', now, 'UTC'), '09:30');
    assert.equal(formatTimeSoon('2026-03-05T09:30:00.000Z', now, 'UTC'), '05/03/2026 09:30');
  });
});

describe('renderer store: an inbox package and sync', () => {
  const detail = (opened: boolean): InboxDetail => ({
    item: {
      id: 5,
      subject: opened ? 'Phương án tuyệt mật' : null,
      opened,
      level: 'tuyet-mat',
      urgency: opened ? 'hoa-toc' : null,
      sender: opened ? { organId: '000.00.00.G22', name: 'Văn phòng Chính phủ' } : null,
      status: opened ? '03' : '01',
      register: opened ? { year: 2026, number: 1 } : null,
      receivedAt: '2026-01-02T03:04:05.000Z',
      openedAt: opened ? '2026-01-02T03:05:05.000Z' : null,
    },
    packageSha256: 'cd'.repeat(32),
    report: null,
    documents: [],
    history: [],
    exportFolder: '/home/vanthu/Niêm',
  });

  it('select, open, then a lock drops the opened subject and every answer after it', async () => {
    const f = fakeBridge();
    const store = await openStore(f);
    f.answer('inbox.get', async () => ok(detail(false)));
    f.answer('inbox.open', async () => ok(detail(true)));
    await store.getState().inboxView.select(5);
    assert.equal(store.getState().inboxView.detail?.item.subject, null);
    await store.getState().inboxView.open();
    assert.equal(store.getState().inboxView.detail?.item.subject, 'Phương án tuyệt mật');
    assert.ok(f.called('inbox.list').length >= 2, 'the list reloads after an open');

    let answer!: (r: ReturnType<typeof ok<InboxDetail>>) => void;
    f.answer('inbox.get', () => new Promise((resolve) => (answer = resolve)));
    const loading = store.getState().inboxView.select(5);
    f.emit('vault.changed', { state: { state: 'locked', reason: 'idle', problem: null } });
    answer(ok(detail(true)));
    await loading;
    const held = JSON.stringify(store.getState());
    assert.ok(!held.includes('Phương án tuyệt mật'), 'no opened subject left');
    assert.equal(store.getState().sync.state, null);
    assert.equal(store.getState().directory.list, null);
    assert.deepEqual(store.getState().outboxView.live, {});
  });

  it('a sync round that ends reloads both boxes; "sync now" asks the native side', async () => {
    const f = fakeBridge();
    const store = await openStore(f);
    f.answer('sync.now', async () =>
      ok({
        configured: true,
        platform: 'https://127.0.0.1:8443',
        phase: 'running',
        lastRunAt: null,
        lastError: null,
      }),
    );
    await store.getState().sync.now();
    assert.equal(store.getState().sync.state?.phase, 'running');
    const outbox = f.called('outbox.list').length;
    const inbox = f.called('inbox.list').length;
    f.emit('sync.changed', {
      state: {
        configured: true,
        platform: 'https://127.0.0.1:8443',
        phase: 'idle',
        lastRunAt: '2026-01-02T03:04:05.000Z',
        lastError: null,
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(f.called('outbox.list').length, outbox + 1);
    assert.equal(f.called('inbox.list').length, inbox + 1);
  });
});
