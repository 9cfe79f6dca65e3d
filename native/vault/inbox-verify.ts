/**
 * Verification of a package that arrived from the platform, right after it was stored:
 * the package is opened into the vault (./inbox-open.ts: documents into encrypted blobs,
 * nothing in plaintext on disk) and then, in one transaction with the arrival marked
 * `done`, either registered (number, status 03, report, subject listed unless Tuyệt mật,
 * which waits for a clerk to open it) or refused: status 02 with the reason in Vietnamese
 * (tampered, untrusted signer, not a recipient, levels disagreeing … or a sender that is
 * not the one the platform named), its report kept, its documents dropped.
 *
 * A failure that is not the package's (the token removed, the vault locked, a full disk)
 * refuses nothing: it is thrown, and the arrival stays `stored` for the next attempt.
 */
import { refusalFor, senderMismatch, type Refusal } from './inbox-reasons.ts';
import {
  recordRefusedOpen,
  recordVerified,
  registerInbox,
  verifyIntoVault,
  type VerifiedPackage,
  type VerifyInboxOptions,
} from './inbox-open.ts';
import { inboxPackageRow, recordStatus, type InboxPackageRow } from './inbox-rows.ts';
import { markArrivalDone, type Arrival } from './inbox-arrivals.ts';
import type { RegisterNumber } from './registers.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** How an arrival ended. */
export type ArrivalOutcome =
  | {
      status: 'registered';
      register: RegisterNumber | null;
      /** The sender agency as verified (or the platform's claim when nothing signed names one). */
      sender: string | null;
    }
  | { status: 'refused'; refusal: Refusal | { code: 'refused-by-clerk'; vi: string; en: string } };

/**
 * Whether the sender the platform named is the one the package states: manifest.json's
 * From when it has one, else one of the signers' organizationIdentifier. A package that
 * names no agency at all cannot contradict the claim.
 */
export function senderAgrees(verified: VerifiedPackage, claim: string): boolean {
  const fromManifest = verified.manifest?.from?.organId;
  if (fromManifest !== undefined) return fromManifest === claim;
  return verified.signedSenders.length === 0 || verified.signedSenders.includes(claim);
}

function registerOf(db: SqliteDatabase, id: number): RegisterNumber | null {
  return (
    (db.prepare('SELECT year, number FROM incoming_register WHERE inbox_id = ?').get(id) as
      RegisterNumber | undefined) ?? null
  );
}

function lastNote(db: SqliteDatabase, id: number, status: string): string | null {
  return (
    (db
      .prepare(
        'SELECT note FROM inbox_status_history WHERE inbox_id = ? AND status = ? ORDER BY id DESC',
      )
      .pluck()
      .get(id, status) as string | null | undefined) ?? null
  );
}

/** The outcome of an item a clerk already handled (opened, registered or refused). */
function settled(vault: Vault, row: InboxPackageRow, arrival: Arrival): ArrivalOutcome {
  return vault.transaction((db) => {
    if (row.status === '02') {
      const note = lastNote(db, row.id, '02') ?? 'Từ chối tiếp nhận.';
      const refusal = { code: 'refused-by-clerk' as const, vi: note, en: note };
      markArrivalDone(vault, db, arrival.sha256, {
        sender: row.senderOrganId,
        refusal: { code: refusal.code, vi: refusal.vi },
      });
      return { status: 'refused', refusal };
    }
    markArrivalDone(vault, db, arrival.sha256, { sender: row.senderOrganId });
    return { status: 'registered', register: registerOf(db, row.id), sender: row.senderOrganId };
  });
}

function refuse(
  vault: Vault,
  db: SqliteDatabase,
  row: InboxPackageRow,
  arrival: Arrival,
  refusal: Refusal,
  sender: string | null,
): void {
  recordStatus(vault, db, row, '02', vault.timestamp(), refusal.vi);
  markArrivalDone(vault, db, arrival.sha256, { sender, refusal });
}

/**
 * Verifies stored arrival `arrival` (state `stored`, inbox item `arrival.inboxId`); see
 * the module comment. An item a clerk already opened, registered or refused is not
 * opened again: its outcome is what the clerk did.
 */
export async function verifyArrival(
  vault: Vault,
  arrival: Arrival,
  options: VerifyInboxOptions,
): Promise<ArrivalOutcome> {
  if (arrival.inboxId === null) throw new TypeError('verifyArrival: the arrival is not stored');
  const row = inboxPackageRow(vault.database, arrival.inboxId);
  if (row.status !== '01' || row.verifiedAt !== null) return settled(vault, row, arrival);
  let verified: VerifiedPackage;
  try {
    verified = await verifyIntoVault(vault, row, options);
  } catch (err) {
    const refusal = refusalFor(err);
    if (refusal === undefined) throw err;
    vault.transaction((db) => {
      const current = inboxPackageRow(db, row.id);
      recordRefusedOpen(vault, db, current, err, 'inbox.verify-refused');
      refuse(vault, db, current, arrival, refusal, null);
    });
    return { status: 'refused', refusal };
  }
  const now = vault.timestamp();
  try {
    if (!senderAgrees(verified, arrival.senderClaim)) {
      const signed = verified.sender ?? verified.signedSenders.join(', ');
      const refusal = senderMismatch(signed, arrival.senderClaim);
      await verified.sink.discard();
      vault.transaction((db) => {
        const current = inboxPackageRow(db, row.id);
        db.prepare('UPDATE inbox SET verification = ? WHERE id = ?').run(
          JSON.stringify({ ...verified.report, committed: false }),
          row.id,
        );
        recordAudit(vault, db, {
          action: 'inbox.verify-refused',
          package: current.sha,
          level: current.level,
          detail: { inbox: row.id, kind: refusal.code },
        });
        refuse(vault, db, current, arrival, refusal, verified.sender);
      });
      return { status: 'refused', refusal };
    }
    const sender = verified.sender ?? arrival.senderClaim;
    let recorded = true;
    const register = vault.transaction((db) => {
      const current = inboxPackageRow(db, row.id);
      if (current.verifiedAt !== null) {
        // Opened by a clerk meanwhile: what that open kept stays, ours is dropped.
        recorded = false;
        markArrivalDone(vault, db, arrival.sha256, { sender: current.senderOrganId });
        return registerOf(db, row.id);
      }
      const level = recordVerified(vault, db, current, verified, false, now);
      const assigned = registerInbox(vault, db, current, level, now);
      recordAudit(vault, db, {
        action: 'inbox.verify',
        package: current.sha,
        level,
        detail: { inbox: row.id, documents: verified.sink.files().length, register: assigned },
      });
      markArrivalDone(vault, db, arrival.sha256, { sender });
      return assigned;
    });
    if (!recorded) await verified.sink.discard();
    return { status: 'registered', register, sender };
  } catch (err) {
    await verified.sink.discard();
    throw err;
  }
}
