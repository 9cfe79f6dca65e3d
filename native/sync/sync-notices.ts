/**
 * A notice relayed by the platform about a package we sent is believed only when:
 * - it is a `niem-notice` statement whose signature and signer chain verify against the
 *   profile's trust anchors (native/exchange/signed-statement.ts);
 * - the signer's agency (organizationIdentifier of its certificate) is the notice's `from`;
 * - it is addressed to us (`to` is our OrganId);
 * - it is about a package of our outbox, and `from` is one of that package's recipients.
 * Then it is recorded with the outbox row (an 01 or any later status from every
 * recipient makes the package delivered). Anything else is refused: nothing of it is
 * recorded, the refusal goes into the audit trail (reason, never the statement's text),
 * and the report and an event say so.
 */
import { NiemError } from '../api/errors.ts';
import { verifyStatement } from '../exchange/signed-statement.ts';
import type { NoticeStatement } from '../exchange/platform-wire.ts';
import {
  actorOf,
  outboxForPackage,
  recordAudit,
  recordNotice,
  type TransportState,
} from '../vault/index.ts';
import { emitOutbox, emitSafely, type SyncContext } from './sync-context.ts';
import type { NoticeRefusal, SyncReport } from './sync-events.ts';

/** What checking a notice found. */
export type NoticeCheck =
  | {
      accepted: true;
      outboxId: number;
      statement: NoticeStatement;
      signer: string;
      signerCertificateSha256: string;
    }
  | { accepted: false; refusal: NoticeRefusal; detail: string; statement?: NoticeStatement };

const refuse = (
  refusal: NoticeRefusal,
  detail: string,
  statement?: NoticeStatement,
): NoticeCheck => ({
  accepted: false,
  refusal,
  detail,
  ...(statement === undefined ? {} : { statement }),
});

/** Checks notice `der` (see above) without recording anything. */
export async function checkNotice(
  context: Pick<SyncContext, 'vault' | 'organId' | 'trustAnchors' | 'clock'>,
  der: Uint8Array,
): Promise<NoticeCheck> {
  let verified;
  try {
    verified = await verifyStatement(der, {
      type: 'niem-notice',
      trustAnchors: context.trustAnchors(),
      now: context.clock(),
    });
  } catch (err) {
    const kind = err instanceof NiemError ? err.kind : 'malformed';
    const message = err instanceof Error ? err.message : String(err);
    return refuse(kind === 'malformed' ? 'malformed' : 'untrusted', `${kind}: ${message}`);
  }
  const statement = verified.statement;
  if (statement.to !== context.organId) {
    return refuse('not-for-us', `addressed to ${statement.to}`, statement);
  }
  if (verified.organId !== statement.from) {
    return refuse(
      'signer-not-sender',
      `signed by agency ${verified.organId ?? '(none)'}, not ${statement.from}`,
      statement,
    );
  }
  const row = outboxForPackage(context.vault, statement.sha256);
  if (row === undefined) return refuse('unknown-package', 'not a package we sent', statement);
  if (!row.recipients.includes(statement.from)) {
    return refuse('not-a-recipient', `${statement.from} is not a recipient`, statement);
  }
  return {
    accepted: true,
    outboxId: row.id,
    statement,
    signer: actorOf(verified.certificate),
    signerCertificateSha256: verified.certificateSha256,
  };
}

/** What handling a notice did to its package, when it was accepted. */
export interface HandledNotice {
  outboxId: number;
  state: TransportState;
}

/**
 * Checks and records (or refuses and audits) the notice `der` from mailbox entry
 * `cursor`. Returns the package it moved, if accepted.
 */
export async function handleNotice(
  context: SyncContext,
  report: SyncReport,
  der: Uint8Array,
  cursor: string,
): Promise<HandledNotice | undefined> {
  const { vault } = context;
  const check = await checkNotice(context, der);
  if (!check.accepted) {
    const s = check.statement;
    vault.transaction((db) => {
      recordAudit(vault, db, {
        action: 'notice.refused',
        package: s?.sha256 ?? null,
        detail: {
          refusal: check.refusal,
          cursor,
          ...(s === undefined ? {} : { status: s.status, from: s.from, to: s.to }),
        },
      });
    });
    report.refusedNotices.push({
      status: s?.status ?? null,
      from: s?.from ?? null,
      refusal: check.refusal,
    });
    emitSafely(context, {
      type: 'notice',
      outboxId: null,
      status: s?.status ?? null,
      from: s?.from ?? null,
      accepted: false,
      refusal: check.refusal,
    });
    return undefined;
  }
  const { statement } = check;
  const before = outboxForPackage(vault, statement.sha256)?.state;
  const recorded = recordNotice(vault, {
    outboxId: check.outboxId,
    status: statement.status,
    from: statement.from,
    at: statement.at,
    reason: statement.reason,
    register: statement.register,
    der,
    signer: check.signer,
    signerCertificateSha256: check.signerCertificateSha256,
  });
  if (recorded.recorded) report.notices += 1;
  if (recorded.state === 'delivered' && before !== 'delivered') report.delivered += 1;
  emitSafely(context, {
    type: 'notice',
    outboxId: check.outboxId,
    status: statement.status,
    from: statement.from,
    accepted: true,
    refusal: null,
  });
  emitOutbox(context, check.outboxId);
  return { outboxId: check.outboxId, state: recorded.state };
}
