/**
 * Notices received about the packages we sent (01 arrived, 02 refused, 03 registered …),
 * kept with the outbox row they concern: the signed statement (DER) as evidence, its
 * status, sender agency, time and the certificate that signed it. The caller verified
 * them (native/sync/sync-notices.ts: signature and chain, the signer's agency is the
 * sender, a recipient of this package, addressed to us). One notice per (package,
 * agency, status); the same one again changes nothing. Every recipient's notice held
 * moves a sent package to delivered.
 */
import type { LevelCode } from '../seal/levels.ts';
import { deliverIfComplete, type TransportState } from './outbox-transport.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';
import type { BusinessStatus } from './inbox.ts';

/** A notice as the outbox shows it. */
export interface OutboxNotice {
  status: BusinessStatus;
  /** The recipient agency (OrganId) that sent it. */
  from: string;
  /** When the recipient signed it (ISO 8601 UTC). */
  at: string;
  /** With 02: the recipient's reason. */
  reason: string | null;
  /** With 03: the recipient's incoming register number. */
  register: { year: number; number: number } | null;
  /** `CN #serial` of the certificate that signed it. */
  signer: string;
  receivedAt: string;
}

/** A verified notice to record. */
export interface NewOutboxNotice {
  outboxId: number;
  status: BusinessStatus;
  from: string;
  at: string;
  reason?: string | undefined;
  register?: { year: number; number: number } | undefined;
  /** The signed statement, DER. */
  der: Uint8Array;
  /** `CN #serial` of the signer. */
  signer: string;
  /** SHA-256 (hex) of the signer's certificate. */
  signerCertificateSha256: string;
}

/** The outbox row of a package we sent, by its SHA-256 (hex), with its recipients. */
export interface OutboxPackageRef {
  id: number;
  state: TransportState;
  level: LevelCode;
  recipients: string[];
}

/** The outbox row of package `sha256` (lowercase hex), if we sent it. */
export function outboxForPackage(vault: Vault, sha256: string): OutboxPackageRef | undefined {
  if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  const row = vault.database
    .prepare(
      `SELECT id, transport_state, level,
         (SELECT json_group_array(organ_id) FROM outbox_recipients WHERE outbox_id = o.id) AS recipients
       FROM outbox o WHERE package_sha256 = ?`,
    )
    .get(Buffer.from(sha256, 'hex')) as
    | { id: number; transport_state: TransportState; level: LevelCode; recipients: string }
    | undefined;
  if (row === undefined) return undefined;
  return {
    id: row.id,
    state: row.transport_state,
    level: row.level,
    recipients: JSON.parse(row.recipients) as string[],
  };
}

/** What recording a notice did. */
export interface RecordedNotice {
  /** False when the same (package, agency, status) was already held. */
  recorded: boolean;
  /** The package's transport state after. */
  state: TransportState;
}

/** Records a verified notice (one transaction with its audit entry and any delivery). */
export function recordNotice(vault: Vault, notice: NewOutboxNotice): RecordedNotice {
  return vault.transaction((db) => {
    const row = db
      .prepare(
        'SELECT lower(hex(package_sha256)) AS sha, level, transport_state FROM outbox WHERE id = ?',
      )
      .get(notice.outboxId) as
      { sha: string; level: LevelCode; transport_state: TransportState } | undefined;
    if (row === undefined) throw new Error(`no outbox package ${notice.outboxId}`);
    const statement = {
      status: notice.status,
      from: notice.from,
      at: notice.at,
      ...(notice.reason === undefined ? {} : { reason: notice.reason }),
      ...(notice.register === undefined ? {} : { register: notice.register }),
    };
    const { changes } = db
      .prepare(
        `INSERT OR IGNORE INTO outbox_notices (outbox_id, status, from_organ_id, at, statement, der,
           signer, signer_certificate, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        notice.outboxId,
        notice.status,
        notice.from,
        notice.at,
        JSON.stringify(statement),
        Buffer.from(notice.der),
        notice.signer,
        Buffer.from(notice.signerCertificateSha256, 'hex'),
        vault.timestamp(),
      );
    if (changes === 0) return { recorded: false, state: row.transport_state };
    recordAudit(vault, db, {
      action: 'outbox.notice',
      package: row.sha,
      level: row.level,
      detail: {
        outbox: notice.outboxId,
        status: notice.status,
        from: notice.from,
        signer: notice.signer,
        ...(notice.register === undefined ? {} : { register: notice.register }),
      },
    });
    const delivered = deliverIfComplete(vault, db, notice.outboxId);
    return { recorded: true, state: delivered ? 'delivered' : row.transport_state };
  });
}

/** The notices held for outbox row `id`, in the order they were signed. */
export function outboxNotices(vault: Vault, id: number): OutboxNotice[] {
  const rows = vault.database
    .prepare(
      `SELECT status, from_organ_id, at, statement, signer, received_at FROM outbox_notices
       WHERE outbox_id = ? ORDER BY at, id`,
    )
    .all(id) as {
    status: BusinessStatus;
    from_organ_id: string;
    at: string;
    statement: string;
    signer: string;
    received_at: string;
  }[];
  return rows.map((r) => {
    const statement = JSON.parse(r.statement) as {
      reason?: string;
      register?: { year: number; number: number };
    };
    return {
      status: r.status,
      from: r.from_organ_id,
      at: r.at,
      reason: statement.reason ?? null,
      register: statement.register ?? null,
      signer: r.signer,
      receivedAt: r.received_at,
    };
  });
}

/** The receipt DER of outbox row `id` and its time, when it holds one. */
export function outboxReceipt(
  vault: Vault,
  id: number,
): { der: Uint8Array; at: string } | undefined {
  const row = vault.database
    .prepare('SELECT receipt, receipt_at FROM outbox WHERE id = ?')
    .get(id) as { receipt: Buffer | null; receipt_at: string | null } | undefined;
  if (row === undefined || row.receipt === null || row.receipt_at === null) return undefined;
  return { der: new Uint8Array(row.receipt), at: row.receipt_at };
}
