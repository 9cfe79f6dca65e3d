/**
 * Fixtures for the sync engine's unit tests (not a test file): a throwaway PKI made with
 * the openssl CLI (a CA and clerks of four agencies, each certificate naming its OrganId
 * in organizationIdentifier, plus a clerk under another root who claims an agency), a
 * vault with outbox rows made directly (the engine never looks inside a package), signed
 * notices, a fake clock, and a scripted PlatformApi (./sync-engine-platform.ts).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { NoticeStatement } from '../../native/exchange/platform-wire.ts';
import { signStatement } from '../../native/exchange/signed-statement.ts';
import type { LevelCode } from '../../native/seal/levels.ts';
import { softwareSigner } from '../../native/seal/signed-data/index.ts';
import { addTrustAnchors, initVault, recordAudit, type Vault } from '../../native/vault/index.ts';
import { hex } from '../../native/vault/vault-audit.ts';
import {
  createSyncEngine,
  type SyncEngine,
  type SyncEngineOptions,
  type SyncEvent,
} from '../../native/sync/sync-engine.ts';
import { ScriptedPlatform } from './sync-engine-platform.ts';
import { makeVaultPki, tempProfile, type VaultParty, type VaultPki } from './vault-fixture.ts';

/** Our agency (the sender) and the others. */
export const US = '000.00.00.G22';
export const RECIPIENT = '000.00.00.G99';
export const SECOND = '000.00.00.G33';
export const OUTSIDER = '000.00.00.G44';

export interface Clerk {
  organId: string;
  der: Uint8Array;
  key: KeyObject;
}

export interface SyncPki {
  dir: string;
  ca: Uint8Array;
  clerks: Record<string, Clerk>;
  /** A clerk of another root, claiming to be RECIPIENT. */
  forger: Clerk;
  dispose: () => void;
}

const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
};

const P256 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];

function ca(dir: string, name: string): Uint8Array {
  writeFileSync(
    join(dir, `${name}.cnf`),
    '[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
  );
  openssl(['genpkey', ...P256, '-out', join(dir, `${name}.key`)]);
  // prettier-ignore
  openssl(['req', '-x509', '-new', '-utf8', '-key', join(dir, `${name}.key`), '-subj',
    `/C=VN/O=Niêm TEST/CN=${name}`, '-days', '30', '-config', join(dir, `${name}.cnf`),
    '-extensions', 'v3', '-out', join(dir, `${name}.pem`)]);
  return new Uint8Array(new X509Certificate(readFileSync(join(dir, `${name}.pem`))).raw);
}

function clerk(dir: string, issuer: string, name: string, organId: string): Clerk {
  const key = join(dir, `${name}.key`);
  openssl(['genpkey', ...P256, '-out', key]);
  openssl([
    'req',
    '-new',
    '-utf8',
    '-key',
    key,
    '-subj',
    `/C=VN/O=Cơ quan ${organId}/organizationIdentifier=${organId}/CN=Văn thư ${name}`,
    '-out',
    join(dir, `${name}.csr`),
  ]);
  writeFileSync(
    join(dir, 'clerk.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation,keyAgreement\nsubjectKeyIdentifier=hash\n',
  );
  // prettier-ignore
  openssl(['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, `${issuer}.pem`),
    '-CAkey', join(dir, `${issuer}.key`), '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-days', '20', '-extfile', join(dir, 'clerk.ext'), '-out', join(dir, `${name}.pem`)]);
  return {
    organId,
    der: new Uint8Array(new X509Certificate(readFileSync(join(dir, `${name}.pem`))).raw),
    key: createPrivateKey(readFileSync(key)),
  };
}

/** The clerk of agency `organId`. */
export function clerkOf(pki: SyncPki, organId: string): Clerk {
  const clerk = pki.clerks[organId];
  if (clerk === undefined) throw new Error(`no clerk of ${organId}`);
  return clerk;
}

/** The CA, a clerk per agency, and a forger under another root (about a second). */
export function makeSyncPki(): SyncPki {
  const dir = mkdtempSync(join(tmpdir(), 'niem-sync-pki-'));
  const root = ca(dir, 'root');
  ca(dir, 'other-root');
  const clerks = Object.fromEntries(
    [US, RECIPIENT, SECOND, OUTSIDER].map((organId, i) => [
      organId,
      clerk(dir, 'root', `c${i}`, organId),
    ]),
  );
  return {
    dir,
    ca: root,
    clerks,
    forger: clerk(dir, 'other-root', 'forger', RECIPIENT),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The PKIs a sync test file shares: the sync PKI and the vault clerk's keys. */
export interface SyncSuite {
  readonly pki: SyncPki;
  readonly keys: VaultPki;
}

/**
 * Registers, in the calling test file, the making of both PKIs before its tests and their
 * removal after them; read `pki` and `keys` inside the tests (not before they start).
 */
export function syncSuite(): SyncSuite {
  let made: SyncSuite | undefined;
  before(() => {
    made = { pki: makeSyncPki(), keys: makeVaultPki() };
  });
  after(() => {
    made?.pki.dispose();
    made?.keys.dispose();
  });
  const get = (): SyncSuite => {
    if (made === undefined) throw new Error('syncSuite: read inside a test');
    return made;
  };
  return {
    get pki() {
      return get().pki;
    },
    get keys() {
      return get().keys;
    },
  };
}

/** A notice signed by `by` (statement fields default to an 01 from RECIPIENT to US). */
export async function signedNotice(
  by: Clerk,
  fields: Partial<NoticeStatement> & { sha256: string },
  at = new Date(),
): Promise<Uint8Array> {
  return signStatement(
    softwareSigner(by.key, by.der),
    {
      type: 'niem-notice',
      version: 1,
      status: '01',
      from: RECIPIENT,
      to: US,
      at: at.toISOString(),
      ...fields,
    },
    { level: 'mat' },
  );
}

/** A clock the test moves. */
export interface FakeClock {
  now: () => Date;
  advance: (ms: number) => void;
  set: (at: Date) => void;
}

export function fakeClock(start = new Date()): FakeClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (at) => {
      t = at.getTime();
    },
  };
}

/** A vault for the sender clerk (software keys), trusting `pki.ca`, on `clock`. */
export async function senderVault(
  profile: string,
  holder: VaultParty,
  pki: SyncPki,
  clock: FakeClock,
): Promise<Vault> {
  const vault = await initVault(profile, {
    holder: holder.holder,
    actor: 'Văn thư G22 #01',
    now: clock.now,
  });
  addTrustAnchors(vault, [pki.ca]);
  return vault;
}

/** An outbox row as sealing makes it (the bytes stand for a sealed package). */
export async function queuePackage(
  vault: Vault,
  bytes: Uint8Array,
  recipients: readonly string[] = [RECIPIENT],
  level: LevelCode = 'mat',
): Promise<{ id: number; sha256: string }> {
  const blob = await vault.writeBlob(bytes);
  const sha256 = hex(blob.sha256);
  const id = vault.transaction((db) => {
    vault.recordBlob(db, blob);
    const now = vault.timestamp();
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO outbox (package_blob, package_sha256, level, subject, subject_listed,
           created_at, updated_at) VALUES (?, ?, ?, 'Công văn thử', 1, ?, ?)`,
      )
      .run(blob.id, Buffer.from(sha256, 'hex'), level, now, now);
    const outboxId = Number(lastInsertRowid);
    for (const organId of recipients) {
      db.prepare('INSERT INTO outbox_recipients (outbox_id, organ_id) VALUES (?, ?)').run(
        outboxId,
        organId,
      );
    }
    recordAudit(vault, db, { action: 'draft.seal', package: sha256, level, detail: {} });
    return outboxId;
  });
  return { id, sha256 };
}

/** The audit actions of the vault since entry `after` (seq). */
export function auditActions(vault: Vault, after = 0): string[] {
  return vault.database
    .prepare('SELECT action FROM audit WHERE seq > ? ORDER BY seq')
    .pluck()
    .all(after) as string[];
}

/** The last audit seq. */
export const lastSeq = (vault: Vault): number =>
  (vault.database.prepare('SELECT coalesce(max(seq), 0) FROM audit').pluck().get() as number) ?? 0;

/** Waits until `predicate` holds (polling), at most `ms`. */
export async function until(predicate: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A sender vault, a scripted platform and an engine on one fake clock. */
export interface SyncSetup {
  vault: Vault;
  platform: ScriptedPlatform;
  clock: FakeClock;
  events: SyncEvent[];
  engine: SyncEngine;
  profile: string;
  /** Stops the engine, closes the vault (the current ones) and removes the folder. */
  dispose: () => Promise<void>;
}

export async function setupSync(
  name: string,
  holder: VaultParty,
  pki: SyncPki,
  options: Partial<Omit<SyncEngineOptions, 'vault' | 'platform' | 'organId'>> = {},
): Promise<SyncSetup> {
  const temp = tempProfile(`sync-${name}`);
  const clock = fakeClock();
  const vault = await senderVault(temp.profile, holder, pki, clock);
  const platform = new ScriptedPlatform(US, clock.now);
  const events: SyncEvent[] = [];
  const engine = createSyncEngine({
    vault,
    platform,
    organId: US,
    onEvent: (e) => events.push(e),
    clock: clock.now,
    random: () => 0.5,
    ...options,
  });
  const s: SyncSetup = {
    vault,
    platform,
    clock,
    events,
    engine,
    profile: temp.profile,
    dispose: async () => {
      await s.engine.stop();
      await s.vault.close();
      temp.dispose();
    },
  };
  return s;
}
