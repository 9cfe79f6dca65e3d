/**
 * Drafts as the UI edits them (software keys, no token): the list's paging, sorting,
 * search and hidden Tuyệt mật subjects; editing fields (the level moves the subject in
 * and out of lists and search); documents added and removed one by one, with unsafe and
 * clashing names refused; and the contract handlers' size limit and metadata mapping.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { after, before, beforeEach, afterEach, describe, it } from 'node:test';
import { DOCUMENT_MAX_BYTES } from '../../native/api/drafts-contract.ts';
import { methods } from '../../native/api/contract.ts';
import { verifyAudit } from '../../native/audit/index.ts';
import { draftHandlers } from '../../native/service/draft-handlers.ts';
import {
  addDraftDocument,
  createDraft,
  getDraft,
  initVault,
  listDraftPage,
  readDraftDocument,
  removeDraftDocument,
  updateDraft,
  type Vault,
} from '../../native/vault/index.ts';
import {
  drain,
  makeVaultPki,
  rejectsWithKind,
  tempProfile,
  type VaultPki,
} from './vault-fixture.ts';

let pki: VaultPki;
let profile: ReturnType<typeof tempProfile>;
let vault: Vault;

before(() => {
  pki = makeVaultPki();
});
after(() => pki.dispose());
beforeEach(async () => {
  profile = tempProfile('draft-edits');
  vault = await initVault(profile.profile, { holder: pki.clerk.holder });
});
afterEach(async () => {
  await vault.close();
  profile.dispose();
});

const page = (query: Partial<Parameters<typeof listDraftPage>[1]> = {}) =>
  listDraftPage(vault, { offset: 0, limit: 20, sort: 'updated', direction: 'desc', ...query });

function blobFiles(): string[] {
  const root = join(profile.profile, 'blobs');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

describe('draft list: paging, sorting, search', () => {
  it('pages with a total, sorts by level and by subject in Vietnamese order, hides Tuyệt mật subjects', async () => {
    const subjects = ['Đề án', 'Báo cáo', 'Ủy quyền', 'Công văn', 'An ninh'];
    const levels = ['mat', 'thuong', 'toi-mat', 'thuong', 'mat'] as const;
    for (const [i, subject] of subjects.entries()) {
      await createDraft(vault, { subject, level: levels[i] ?? 'thuong', recipients: [] });
    }
    await createDraft(vault, { subject: 'Kế hoạch tuyệt mật', level: 'tuyet-mat', recipients: [] });

    const first = page({ limit: 4 });
    assert.equal(first.total, 6);
    assert.equal(first.items.length, 4);
    const second = page({ limit: 4, offset: 4 });
    assert.equal(second.items.length, 2);
    const ids = [...first.items, ...second.items].map((d) => d.id);
    assert.equal(new Set(ids).size, 6, 'pages do not overlap');

    const bySubject = page({ sort: 'subject', direction: 'asc' }).items.map((d) => d.subject);
    // Vietnamese order: Đ after D (and after C), Ư-words last; the hidden subject after all.
    assert.deepEqual(bySubject, ['An ninh', 'Báo cáo', 'Công văn', 'Đề án', 'Ủy quyền', null]);

    const byLevel = page({ sort: 'level', direction: 'desc' }).items.map((d) => d.level);
    assert.deepEqual(byLevel, ['tuyet-mat', 'toi-mat', 'mat', 'mat', 'thuong', 'thuong']);
  });

  it('searches listed subjects and metadata, without diacritics; never a Tuyệt mật subject', async () => {
    await createDraft(vault, {
      subject: 'Quyết định về nhân sự',
      level: 'mat',
      recipients: ['000.00.00.G22'],
      metadata: { codeNotation: 'QĐ-BNV' },
    });
    await createDraft(vault, {
      subject: 'Quyết định tuyệt mật',
      level: 'tuyet-mat',
      recipients: [],
    });
    const found = page({ search: 'quyet dinh' });
    assert.equal(found.total, 1);
    assert.equal(found.items[0]?.subject, 'Quyết định về nhân sự');
    assert.deepEqual(found.items[0]?.recipients, ['000.00.00.G22']);
    assert.equal(page({ search: 'QĐ-BNV' }).total, 1, 'metadata text is searched');
    assert.equal(page({ search: 'Quyết Định' }).total, 1, 'as typed, with diacritics');
    assert.equal(page({ search: 'tuyệt' }).total, 0);
    assert.equal(page({ search: '"unbalanced' }).total, 0, 'quotes are taken as text');
  });
});

describe('draft edits', () => {
  it('updates the fields; moving to Tuyệt mật takes the subject out of lists and search, and back', async () => {
    const id = await createDraft(vault, {
      subject: 'Tờ trình ngân sách',
      level: 'mat',
      recipients: ['000.00.00.G22'],
      metadata: { codeNumber: '12', fromCli: 'kept' },
    });
    const edit = {
      subject: 'Tờ trình ngân sách 2026',
      level: 'tuyet-mat' as const,
      urgency: 'hoa-toc' as const,
      recipients: ['000.00.00.G99'],
      metadata: { codeNotation: 'TTr-BTC' },
      replaceKeys: ['codeNumber', 'codeNotation', 'deadline'],
    };
    updateDraft(vault, id, edit);
    const draft = getDraft(vault, id);
    assert.equal(draft.subject, 'Tờ trình ngân sách 2026');
    assert.equal(draft.urgency, 'hoa-toc');
    assert.deepEqual(draft.recipients, ['000.00.00.G99']);
    assert.deepEqual(draft.metadata, { fromCli: 'kept', codeNotation: 'TTr-BTC' });
    assert.equal(page().items[0]?.subject, null);
    assert.equal(page({ search: 'ngân sách' }).total, 0);

    updateDraft(vault, id, { ...edit, level: 'mat' });
    assert.equal(page().items[0]?.subject, 'Tờ trình ngân sách 2026');
    assert.equal(page({ search: 'ngan sach' }).total, 1);
    assert.throws(() => updateDraft(vault, id + 100, edit), { kind: 'not-found' });
  });

  it('adds documents one by one, refuses unsafe and clashing names, removes one and its file', async () => {
    const id = await createDraft(vault, { subject: 'Công văn', level: 'thuong', recipients: [] });
    const a = await addDraftDocument(vault, id, {
      name: 'Công văn.pdf',
      content: Buffer.from('A'),
    });
    await addDraftDocument(vault, id, {
      name: 'phụ lục.docx',
      content: Buffer.from('BB'),
      mediaType: 'application/msword',
    });
    const draft = getDraft(vault, id);
    assert.deepEqual(
      draft.documents.map((d) => [d.name, d.size, d.mediaType]),
      [
        ['Công văn.pdf', 1, null],
        ['phụ lục.docx', 2, 'application/msword'],
      ],
    );
    assert.equal((await drain(readDraftDocument(vault, id, a))).toString(), 'A');
    const files = blobFiles().length;

    await rejectsWithKind(
      addDraftDocument(vault, id, { name: 'CÔNG VĂN.PDF', content: Buffer.from('x') }),
      'document-exists',
    );
    await rejectsWithKind(
      addDraftDocument(vault, id, { name: '../thoát.txt', content: Buffer.from('x') }),
      'unsafe-name',
    );
    await rejectsWithKind(
      addDraftDocument(vault, id + 1, { name: 'x.txt', content: Buffer.from('x') }),
      'not-found',
    );
    assert.equal(blobFiles().length, files, 'a refused document leaves no file behind');

    await removeDraftDocument(vault, id, a);
    assert.deepEqual(
      getDraft(vault, id).documents.map((d) => d.name),
      ['phụ lục.docx'],
    );
    assert.equal(blobFiles().length, files - 1, 'the removed document’s file is gone');
    await rejectsWithKind(removeDraftDocument(vault, id, a), 'not-found');
  });
});

describe('draft handlers (the contract over the vault)', () => {
  const handlers = () => draftHandlers(() => vault);
  type Methods = typeof methods;
  const parse = <M extends keyof Methods>(
    method: M,
    params: unknown,
  ): z.output<Methods[M]['params']> =>
    methods[method].params.parse(params) as z.output<Methods[M]['params']>;

  it('create/update answer with the editor’s view; metadata keys of others are kept', async () => {
    const created = await handlers()['drafts.create'](
      parse('drafts.create', {
        subject: '  Thông báo  ',
        level: 'thuong',
        recipients: ['000.00.00.G22'],
        metadata: { codeNumber: '7816', codeNotation: 'VPCP-TTĐT' },
      }),
    );
    assert.equal(created.subject, 'Thông báo', 'the subject is trimmed');
    assert.equal(created.urgency, 'thuong');
    assert.deepEqual(created.metadata, { codeNumber: '7816', codeNotation: 'VPCP-TTĐT' });
    const deadline = '2026-03-01T09:00:00.000Z';
    const updated = await handlers()['drafts.update'](
      parse('drafts.update', {
        id: created.id,
        fields: {
          subject: 'Thông báo',
          level: 'mat',
          urgency: 'hoa-toc-hen-gio',
          recipients: [],
          metadata: { deadline },
        },
      }),
    );
    assert.deepEqual(updated.metadata, { deadline });
    assert.equal(updated.level, 'mat');
  });

  it('refuses what the contract forbids: no level, a bad OrganId, a deadline without hẹn giờ', () => {
    const base = { subject: 'x', level: 'mat', recipients: [] };
    assert.equal(methods['drafts.create'].params.safeParse(base).success, true);
    const { level: _level, ...noLevel } = base;
    for (const bad of [
      noLevel,
      { ...base, recipients: ['G22'] },
      { ...base, urgency: 'hoa-toc-hen-gio' },
      { ...base, metadata: { deadline: '2026-03-01T09:00:00Z' } },
      { ...base, subject: '   ' },
    ]) {
      assert.equal(
        methods['drafts.create'].params.safeParse(bad).success,
        false,
        JSON.stringify(bad),
      );
    }
  });

  it('a document past the limit is document-too-large and leaves nothing; one at the limit is kept', async () => {
    const { id } = await handlers()['drafts.create'](
      parse('drafts.create', { subject: 'Hồ sơ lớn', level: 'thuong', recipients: [] }),
    );
    const before = blobFiles().length;
    const tooLarge = Buffer.alloc(DOCUMENT_MAX_BYTES + 1, 7).toString('base64');
    const params = parse('drafts.addDocument', {
      draftId: id,
      name: 'lớn.bin',
      contentBase64: tooLarge,
    });
    await rejectsWithKind(handlers()['drafts.addDocument'](params), 'document-too-large');
    assert.equal(blobFiles().length, before);
    const atLimit = Buffer.alloc(DOCUMENT_MAX_BYTES, 7).toString('base64');
    const added = await handlers()['drafts.addDocument'](
      parse('drafts.addDocument', { draftId: id, name: 'vừa.bin', contentBase64: atLimit }),
    );
    assert.equal(added.documents[0]?.size, DOCUMENT_MAX_BYTES);
    const tooLong = Buffer.alloc(DOCUMENT_MAX_BYTES + 8).toString('base64');
    assert.equal(
      methods['drafts.addDocument'].params.safeParse({
        draftId: id,
        name: 'x',
        contentBase64: tooLong,
      }).success,
      false,
      'far past the limit the contract refuses it before any handler',
    );
  });
});

describe('draft edits in the audit trail', () => {
  it('update, document add and remove each append one entry in their transaction; a refusal none', async () => {
    await vault.close();
    vault = await initVault(join(profile.dir, 'audited'), {
      holder: pki.clerk.holder,
      actor: 'Văn thư #0A',
    });
    const id = await createDraft(vault, { subject: 'Báo cáo', level: 'mat', recipients: [] });
    updateDraft(vault, id, {
      subject: 'Báo cáo quý',
      level: 'toi-mat',
      urgency: 'khan',
      recipients: ['000.00.00.G22'],
      metadata: {},
      replaceKeys: [],
    });
    const doc = await addDraftDocument(vault, id, { name: 'a.txt', content: Buffer.from('abc') });
    await rejectsWithKind(
      addDraftDocument(vault, id, { name: 'A.txt', content: Buffer.from('x') }),
      'document-exists',
    );
    await rejectsWithKind(removeDraftDocument(vault, id, doc + 100), 'not-found');
    await removeDraftDocument(vault, id, doc);
    const entries = vault.database
      .prepare('SELECT actor, action, level, detail FROM audit ORDER BY seq')
      .all() as { actor: string; action: string; level: string; detail: string }[];
    assert.deepEqual(
      entries.map((e) => [e.actor, e.action, e.level, JSON.parse(e.detail)]),
      [
        ['Văn thư #0A', 'draft.create', 'mat', { draft: id, documents: 0 }],
        [
          'Văn thư #0A',
          'draft.update',
          'toi-mat',
          { draft: id, recipients: 1, previousLevel: 'mat' },
        ],
        ['Văn thư #0A', 'draft.document-add', 'toi-mat', { draft: id, document: doc, bytes: 3 }],
        ['Văn thư #0A', 'draft.document-remove', 'toi-mat', { draft: id, document: doc }],
      ],
    );
    assert.ok(
      !JSON.stringify(entries).includes('Báo cáo') && !JSON.stringify(entries).includes('a.txt'),
      'no subject or file name in the trail',
    );
    assert.equal(verifyAudit(vault.database).ok, true);
  });
});
