/**
 * Nothing committed is lost to SIGKILL: 30 rounds (fixed seed) of a child process writing
 * drafts with documents as fast as it can, killed at a random moment; after each kill the
 * vault opens, integrity_check is ok, the drafts are exactly those the child acknowledged
 * (printed after commit) plus at most the one in flight, every document of them reads back
 * whole, and no blob file without a row is left.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  checkIntegrity,
  getDraft,
  initVault,
  openVault,
  readDraftDocument,
} from '../../native/vault/index.ts';
import { drain, makeVaultPki, tempProfile, type VaultPki } from './vault-fixture.ts';

const ROUNDS = 30;
const child = fileURLToPath(new URL('./vault-sigkill-child.ts', import.meta.url));

/** mulberry32: a small seeded PRNG, so a failing round can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs one child until it acknowledged `acks` drafts (plus `extraMs`), then SIGKILLs it. */
function runAndKill(
  env: NodeJS.ProcessEnv,
  acks: number,
  extraMs: number,
): Promise<{ acked: number[]; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: number[] = [];
    let pending = '';
    let stderr = '';
    let killing = false;
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = JSON.parse(pending.slice(0, nl)) as { ack?: number };
        pending = pending.slice(nl + 1);
        if (line.ack !== undefined) acked.push(line.ack);
      }
      if (!killing && acked.length >= acks) {
        killing = true;
        setTimeout(() => proc.kill('SIGKILL'), extraMs);
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    proc.on('error', reject);
    proc.on('close', (_code, signal) => resolve({ acked, signal, stderr }));
  });
}

let pki: VaultPki;
before(() => {
  pki = makeVaultPki();
});
after(() => pki.dispose());

describe('vault under SIGKILL', () => {
  it(`keeps exactly the committed drafts through ${ROUNDS} kills at random moments`, async () => {
    const t = tempProfile('vault-sigkill');
    const random = prng(0x5eed);
    try {
      await (await initVault(t.profile, { holder: pki.clerk.holder })).close();
      const committed = new Map<string, number>(); // subject → draft id
      for (let round = 0; round < ROUNDS; round++) {
        const env = {
          ...process.env,
          VAULT_PROFILE: t.profile,
          VAULT_KEY_PATH: pki.clerk.keyPath,
          VAULT_CERT_PATH: pki.clerk.certPath,
          VAULT_ROUND: String(round),
        };
        const acks = Math.floor(random() * 25);
        const extraMs = Math.floor(random() * 15);
        const { acked, signal, stderr } = await runAndKill(env, acks, extraMs);
        assert.equal(signal, 'SIGKILL', `round ${round}: the child died otherwise: ${stderr}`);
        const { vault } = await openVault(t.profile, [pki.clerk.key], { integrityCheck: 'full' });
        try {
          checkIntegrity(vault.database, 'full');
          const rows = vault.database
            .prepare(`SELECT id, subject FROM drafts WHERE subject LIKE ?`)
            .all(`round ${round} draft %`) as { id: number; subject: string }[];
          const present = rows.map((r) => Number(r.subject.split(' ').pop())).sort((a, b) => a - b);
          const inFlight = acked.length;
          const expected = acked.map((_, i) => i);
          assert.ok(
            JSON.stringify(present) === JSON.stringify(expected) ||
              JSON.stringify(present) === JSON.stringify([...expected, inFlight]),
            `round ${round}: acknowledged ${JSON.stringify(expected)}, present ${JSON.stringify(present)}`,
          );
          for (const row of rows) committed.set(row.subject, row.id);
          const total = vault.database.prepare('SELECT count(*) FROM drafts').pluck().get();
          assert.equal(total, committed.size, `round ${round}: earlier rounds' drafts all stay`);
          for (const { subject, id } of rows) {
            const draft = getDraft(vault, id);
            assert.equal(draft.subject, subject);
            const [doc] = draft.documents;
            assert.ok(doc, subject);
            assert.equal((await drain(readDraftDocument(vault, id, doc.id))).length, doc.size);
          }
          const blobFiles = readdirSync(join(t.profile, 'blobs'), {
            recursive: true,
            withFileTypes: true,
          }).filter((e) => e.isFile()).length;
          assert.equal(
            blobFiles,
            committed.size,
            `round ${round}: one blob file per committed document`,
          );
        } finally {
          await vault.close({ snapshot: false });
        }
      }
      assert.ok(committed.size > ROUNDS, 'the run wrote something');
    } finally {
      t.dispose();
    }
  });
});
