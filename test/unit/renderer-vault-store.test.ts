/**
 * The renderer's vault and drafts slices through an in-test bridge (no React, no
 * window): an open vault loads its drafts, a lock drops every draft at once and throws
 * away answers that arrive after it, documents over the limit are refused before any
 * call, a new draft's files are sent after it is created; and the editor form's check.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NiemBridge } from '../../native/api/bridge-api.ts';
import type { Params, VaultState } from '../../native/api/contract.ts';
import type { InboxPage, OutboxPage } from '../../native/api/boxes-contract.ts';
import type { DraftDetailView, DraftPage } from '../../native/api/drafts-contract.ts';
import { DOCUMENT_MAX_BYTES as CONTRACT_MAX } from '../../native/api/drafts-contract.ts';
import type { Result } from '../../native/api/errors.ts';
import { createAppStore } from '../../renderer/src/store/app-store.ts';
import type { AppStore } from '../../renderer/src/store/app-store.ts';
import { DOCUMENT_MAX_BYTES, toBase64 } from '../../renderer/src/store/document-limits.ts';
import { checkDraftForm, emptyForm, recipientCodes } from '../../renderer/src/store/draft-form.ts';
import type { DocumentFile } from '../../renderer/src/store/drafts-slice.ts';

const open: VaultState = { state: 'open', profile: '/p' };

const draft = (id: number, documents = 0): DraftDetailView => ({
  id,
  subject: 'Công văn',
  level: 'mat',
  urgency: 'thuong',
  recipients: ['000.00.00.G22'],
  documentCount: documents,
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-02T03:04:05.000Z',
  metadata: {},
  documents: Array.from({ length: documents }, (_, i) => ({
    id: i + 1,
    name: `d${i}.txt`,
    size: 1,
    sha256: '00',
    mediaType: null,
  })),
});

const pageOf = (...ids: number[]): DraftPage => ({
  items: ids.map((id) => {
    const { metadata: _m, documents: _d, ...summary } = draft(id);
    return summary;
  }),
  total: ids.length,
  offset: 0,
  limit: 20,
});

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

const outboxPage: OutboxPage = {
  items: [
    {
      id: 1,
      subject: 'Công văn gửi đi',
      level: 'mat',
      urgency: 'khan',
      recipients: [{ organId: '000.00.00.G22', name: 'Bộ Tư pháp' }],
      transportState: 'queued',
      attempts: 0,
      error: null,
      nextAttemptAt: null,
      action: null,
      bytesDone: 0,
      size: 4096,
      register: { year: 2026, number: 1 },
      createdAt: '2026-01-02T03:04:05.000Z',
    },
  ],
  offset: 0,
  limit: 20,
  hasMore: true,
};

const inboxPage: InboxPage = {
  items: [
    {
      id: 1,
      subject: 'Công văn đến',
      opened: true,
      level: 'toi-mat',
      urgency: 'thuong',
      sender: { organId: '000.00.00.G01', name: 'Văn phòng Chính phủ' },
      status: '03',
      register: { year: 2026, number: 7 },
      receivedAt: '2026-01-02T03:04:05.000Z',
      openedAt: '2026-01-02T03:05:05.000Z',
    },
  ],
  offset: 0,
  limit: 20,
  hasMore: false,
};

interface Fake {
  bridge: NiemBridge;
  calls: { method: string; params: unknown }[];
  list: () => Promise<Result<DraftPage>>;
  outbox: () => Promise<Result<OutboxPage>>;
  inbox: () => Promise<Result<InboxPage>>;
  vaultListeners: Set<(p: { state: VaultState }) => void>;
}

function fake(): Fake {
  const f: Fake = {
    calls: [],
    list: async () => ok(pageOf(1)),
    outbox: async () => ok(outboxPage),
    inbox: async () => ok(inboxPage),
    vaultListeners: new Set(),
    bridge: undefined as unknown as NiemBridge,
  };
  const record =
    <R>(method: string, answer: (params: never) => Promise<Result<R>>) =>
    async (params: unknown) => {
      f.calls.push({ method, params });
      return answer(params as never);
    };
  const unused = async () =>
    ({ ok: false, error: { kind: 'internal', message: 'unused' } }) as const;
  let next = 10;
  f.bridge = {
    host: 'bridge',
    tokens: { list: async () => ok([]), modules: async () => ok([]) },
    session: {
      login: unused,
      logout: unused,
      current: async () => ok({ state: 'signed-out' }),
      touch: unused,
      checkKey: unused,
    },
    token: { changePin: unused },
    native: { ping: unused },
    vault: { state: record('vault.state', async () => ok(open)), init: unused },
    drafts: {
      list: record('drafts.list', () => f.list()),
      get: record('drafts.get', async ({ id }: Params<'drafts.get'>) => ok(draft(id, 1))),
      create: record('drafts.create', async () => ok(draft((next += 1)))),
      update: record('drafts.update', async ({ id }: Params<'drafts.update'>) => ok(draft(id))),
      delete: unused,
      addDocument: record('drafts.addDocument', async ({ draftId }: Params<'drafts.addDocument'>) =>
        ok(draft(draftId, 1)),
      ),
      removeDocument: unused,
      seal: unused,
    },
    outbox: { list: record('outbox.list', () => f.outbox()), get: unused },
    inbox: {
      list: record('inbox.list', () => f.inbox()),
      get: unused,
      open: unused,
      exportDocuments: unused,
    },
    directory: { list: unused },
    sync: { state: unused, now: unused },
    on: {
      tokensChanged: () => () => undefined,
      sessionLocked: () => () => undefined,
      outboxChanged: () => () => undefined,
      inboxChanged: () => () => undefined,
      syncChanged: () => () => undefined,
      vaultChanged: (listener) => {
        f.vaultListeners.add(listener);
        return () => f.vaultListeners.delete(listener);
      },
    },
  } as NiemBridge;
  return f;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function openStore(f: Fake): Promise<AppStore> {
  const store = createAppStore(f.bridge);
  store.getState().host.connect();
  await settle();
  await settle();
  return store;
}

const file = (name: string, bytes: Uint8Array): DocumentFile => ({
  name,
  type: 'text/plain',
  size: bytes.length,
  arrayBuffer: async () => Uint8Array.from(bytes).buffer,
});

describe('renderer store: the vault and its drafts', () => {
  it('an open vault loads its drafts; a lock drops them and every late answer', async () => {
    const f = fake();
    const store = await openStore(f);
    assert.equal(store.getState().vault.state?.state, 'open');
    assert.deepEqual(store.getState().drafts.page, pageOf(1));
    await store.getState().drafts.open(1);
    assert.equal(store.getState().drafts.editor?.draft?.id, 1);

    let answer!: (r: Result<DraftPage>) => void;
    f.list = () => new Promise((resolve) => (answer = resolve));
    const loading = store.getState().drafts.load({ search: 'công văn' });
    for (const l of f.vaultListeners)
      l({ state: { state: 'locked', reason: 'idle', problem: null } });
    assert.equal(store.getState().drafts.page, null);
    assert.equal(store.getState().drafts.editor, null);
    answer(ok(pageOf(1, 2)));
    await loading;
    assert.equal(store.getState().drafts.page, null, 'the answer came after the lock: dropped');
    assert.ok(
      !JSON.stringify(store.getState()).includes('Công văn'),
      'no subject left in the state',
    );
  });

  it('an open vault loads the outbox and the inbox; pages move by the page size; a lock drops both', async () => {
    const f = fake();
    const store = await openStore(f);
    assert.deepEqual(store.getState().boxes.outbox.page, outboxPage);
    assert.deepEqual(store.getState().boxes.inbox.page, inboxPage);
    await store.getState().boxes.load('outbox', 20);
    const asked = f.calls.filter((c) => c.method === 'outbox.list').map((c) => c.params);
    assert.deepEqual(asked, [
      { offset: 0, limit: 20 },
      { offset: 20, limit: 20 },
    ]);
    assert.equal(store.getState().boxes.outbox.offset, 20);

    let answer!: (r: Result<InboxPage>) => void;
    f.inbox = () => new Promise((resolve) => (answer = resolve));
    const loading = store.getState().boxes.load('inbox');
    for (const l of f.vaultListeners)
      l({ state: { state: 'locked', reason: 'logout', problem: null } });
    assert.equal(store.getState().boxes.outbox.page, null);
    assert.equal(store.getState().boxes.inbox.page, null);
    answer(ok(inboxPage));
    await loading;
    assert.equal(
      store.getState().boxes.inbox.page,
      null,
      'the answer came after the lock: dropped',
    );
    const held = JSON.stringify(store.getState());
    assert.ok(
      !held.includes('Công văn gửi đi') && !held.includes('Công văn đến'),
      'no subject left',
    );
  });

  it('a box that cannot be read keeps the error for the list to show', async () => {
    const f = fake();
    f.outbox = async () => ({ ok: false, error: { kind: 'vault-locked', message: 'locked' } });
    const store = await openStore(f);
    assert.equal(store.getState().boxes.outbox.error?.kind, 'vault-locked');
    assert.equal(store.getState().boxes.outbox.loading, false);
  });

  it('a session lock locks the vault in the store even before its event', async () => {
    const f = fake();
    const store = await openStore(f);
    store.getState().vault.sessionLocked('token-removed');
    assert.deepEqual(store.getState().vault.state, {
      state: 'locked',
      reason: 'token-removed',
      problem: null,
    });
    assert.equal(store.getState().drafts.page, null);
  });

  it('a new draft is created, then its files are sent one by one as base64', async () => {
    const f = fake();
    const store = await openStore(f);
    store.getState().drafts.startNew();
    const check = checkDraftForm({ ...emptyForm, subject: 'Tờ trình', level: 'thuong' });
    assert.ok(check.ok);
    const bytes = new TextEncoder().encode('Nội dung');
    const saved = await store.getState().drafts.save(check.fields, [file('a.txt', bytes)]);
    assert.equal(saved, true);
    const methods = f.calls
      .map((c) => c.method)
      .filter((m) => m.startsWith('drafts.') && m !== 'drafts.list');
    assert.deepEqual(methods, ['drafts.create', 'drafts.addDocument']);
    const sent = f.calls.find((c) => c.method === 'drafts.addDocument')
      ?.params as Params<'drafts.addDocument'>;
    assert.equal(sent.contentBase64, Buffer.from(bytes).toString('base64'));
    assert.equal(sent.mediaType, 'text/plain');
    assert.equal(store.getState().drafts.done, 'saved');
  });

  it('a file over the limit is refused before any call, with document-too-large', async () => {
    const f = fake();
    const store = await openStore(f);
    await store.getState().drafts.open(1);
    const before = f.calls.length;
    const big: DocumentFile = {
      name: 'lớn.bin',
      type: '',
      size: DOCUMENT_MAX_BYTES + 1,
      arrayBuffer: async () => assert.fail('a refused file is never read'),
    };
    await store.getState().drafts.addDocuments([big]);
    assert.equal(f.calls.length, before);
    assert.equal(store.getState().drafts.error?.kind, 'document-too-large');
    assert.equal(DOCUMENT_MAX_BYTES, CONTRACT_MAX, 'the renderer checks the contract’s limit');
  });

  it('base64 of large buffers matches Node’s', () => {
    const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256);
    assert.equal(toBase64(bytes), Buffer.from(bytes).toString('base64'));
  });
});

describe('draft form check', () => {
  it('requires a subject and an explicit level; no level is ever assumed', () => {
    const check = checkDraftForm(emptyForm);
    assert.equal(check.ok, false);
    assert.deepEqual(!check.ok && check.problems, ['subject', 'level']);
  });

  it('reads OrganIds from commas, lines and spaces, and names the bad ones', () => {
    assert.deepEqual(recipientCodes('000.00.00.g22,\n000.00.00.G99 ; 000.00.00.G22'), [
      '000.00.00.G22',
      '000.00.00.G99',
    ]);
    const check = checkDraftForm({
      ...emptyForm,
      subject: 'x',
      level: 'mat',
      recipients: 'G22, 000.00.00.G22',
    });
    assert.equal(check.ok, false);
    assert.deepEqual(!check.ok && check.badCodes, ['G22']);
  });

  it('"hỏa tốc hẹn giờ" needs a deadline, sent as an ISO instant', () => {
    const timed = {
      ...emptyForm,
      subject: 'x',
      level: 'mat' as const,
      urgency: 'hoa-toc-hen-gio' as const,
    };
    const missing = checkDraftForm(timed);
    assert.deepEqual(!missing.ok && missing.problems, ['deadline']);
    const given = checkDraftForm({ ...timed, deadline: '2026-03-01T09:30' });
    assert.ok(given.ok);
    assert.equal(given.fields.metadata?.deadline, new Date('2026-03-01T09:30').toISOString());
  });
});
