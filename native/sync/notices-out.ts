/**
 * The business notices we send back to the agencies whose packages we received: signed
 * by the clerk's token as `niem-notice` statements (native/exchange/signed-statement.ts,
 * labelled with the package's level), kept in the vault (native/vault/inbox-notices.ts)
 * before anything is sent, and posted to the platform in order by `sendPendingNotices`.
 *
 * Each status entry of a package that came from the platform gets exactly one notice,
 * signed once: `queueNotices` signs those that have none yet (after an arrival, or after a
 * crash between a status and its notice), and a notice that was queued is re-sent byte for
 * byte until the platform takes it (posting is idempotent there). A clerk's own status
 * change (refuse with a reason, 04/05/06) is signed first and recorded with its notice in
 * one transaction, so a failure to sign changes nothing.
 */
import { NiemError } from '../api/errors.ts';
import { OrganIdSchema } from '../seal/manifest.ts';
import type { NoticeStatement } from '../exchange/platform-wire.ts';
import { signStatement } from '../exchange/signed-statement.ts';
import type { SignerSpec } from '../seal/signed-data/index.ts';
import {
  markNoticeAttempt,
  markNoticeRefused,
  markNoticeSent,
  noticeTarget,
  queueSignedNotice,
  queuedNotices,
  recordClerkStatus,
  statusChangeProblem,
  unsignedNotices,
  type ClerkStatus,
  type NoticeSource,
  type Vault,
} from '../vault/index.ts';
import type { PlatformApi } from './platform-api.ts';

/** Who signs notices: the clerk's token and our agency. */
export interface NoticeIdentity {
  /** The clerk's token (its signing key and certificate). */
  signer: SignerSpec;
  /** Our agency's OrganId: the notices' `from`. */
  organId: string;
  /** Intermediate CA certificates (DER) to carry with the signature. */
  certificates?: readonly Uint8Array[];
}

/** The reason a 02 states when its history entry has none. */
const DEFAULT_REASON = 'Từ chối tiếp nhận gói tin.';

function checkIdentity(identity: NoticeIdentity): void {
  if (!OrganIdSchema.safeParse(identity.organId).success) {
    throw new NiemError(
      'invalid-input',
      `our agency code ${identity.organId.slice(0, 64)} is not an OrganId: notices cannot be signed`,
    );
  }
}

/** Signs the notice of `source` (status, time, reason for 02, register number for 03). */
export async function signNotice(
  identity: NoticeIdentity,
  source: Omit<NoticeSource, 'historyId' | 'inboxId'>,
): Promise<Uint8Array> {
  checkIdentity(identity);
  const statement: NoticeStatement = {
    type: 'niem-notice',
    version: 1,
    sha256: source.sha256,
    status: source.status,
    from: identity.organId,
    to: source.to,
    at: source.at,
  };
  if (source.status === '02') {
    statement.reason = (source.note?.trim() || DEFAULT_REASON).slice(0, 2000);
  }
  if (source.status === '03' && source.register !== null) statement.register = source.register;
  return signStatement(identity.signer, statement, {
    level: source.level,
    ...(identity.certificates ? { certificates: identity.certificates } : {}),
  });
}

/**
 * Signs and queues the notices still missing for packages from the platform (of inbox
 * item `inboxId` only, when given), oldest first. Resolves to how many were queued.
 */
export async function queueNotices(
  vault: Vault,
  identity: NoticeIdentity,
  inboxId?: number,
): Promise<number> {
  let queued = 0;
  for (const source of unsignedNotices(vault, inboxId)) {
    const der = await signNotice(identity, source);
    if (queueSignedNotice(vault, source, der)) queued += 1;
  }
  return queued;
}

/** What sendPendingNotices did. */
export interface NoticesSent {
  sent: number;
  /** Refused by the platform for good (kept as `refused` with its code). */
  refused: number;
  /** Still queued (the run was stopped). */
  pending: number;
}

/**
 * Posts every queued notice, oldest first, each exactly as it was signed. A notice the
 * platform refuses (`platform-refused`) is marked refused and the next one goes; any other
 * failure (unreachable, a bad reply, signed out) is recorded on the notice, which stays
 * queued, and is thrown: the next run sends it again. `signal` stops between notices.
 */
export async function sendPendingNotices(
  vault: Vault,
  platform: PlatformApi,
  signal?: AbortSignal,
): Promise<NoticesSent> {
  const queue = queuedNotices(vault);
  const result: NoticesSent = { sent: 0, refused: 0, pending: queue.length };
  for (const notice of queue) {
    if (signal?.aborted === true) break;
    try {
      await platform.postNotice(notice.der);
    } catch (err) {
      const kind = err instanceof NiemError ? err.kind : 'internal';
      if (kind === 'platform-refused') {
        markNoticeRefused(vault, notice.id, kind, (err as NiemError).detail?.code);
        result.refused += 1;
        result.pending -= 1;
        continue;
      }
      markNoticeAttempt(vault, notice.id, kind);
      throw err;
    }
    markNoticeSent(vault, notice.id);
    result.sent += 1;
    result.pending -= 1;
  }
  return result;
}

/** What a clerk's status change did. */
export interface StatusChanged {
  status: ClerkStatus;
  /** True when a notice was queued for the sender (the package came from the platform). */
  notice: boolean;
}

/**
 * A clerk's status change of inbox item `id`: 02 (refused, `note` the reason, required),
 * 04 assigned, 05 in progress, 06 completed (`note` optional, kept in the history, not
 * sent). Checked, signed, then recorded with its notice in one transaction; refused
 * (`invalid-input`) when the order of the business does not allow it.
 */
export async function changeInboxStatus(
  vault: Vault,
  id: number,
  status: ClerkStatus,
  identity: NoticeIdentity,
  note?: string,
): Promise<StatusChanged> {
  const problem = statusChangeProblem(vault, id, status, note);
  if (problem !== undefined) {
    throw new NiemError('invalid-input', `status ${status} of inbox ${id}: ${problem}`);
  }
  const at = vault.timestamp();
  const target = noticeTarget(vault, id);
  let der: Uint8Array | undefined;
  if (target !== undefined) {
    der = await signNotice(identity, {
      sha256: target.sha256,
      status,
      at,
      note: note ?? null,
      level: target.level,
      to: target.to,
      register: null,
    });
  }
  const recorded = recordClerkStatus(vault, id, {
    status,
    at,
    ...(note === undefined ? {} : { note }),
    ...(target === undefined || der === undefined ? {} : { to: target.to, der }),
  });
  return { status, notice: recorded.notice };
}
