/**
 * `directory.list`, `drafts.seal` and `outbox.get` over the open vault. The directory is the one cached
 * in the vault (imported, or refreshed from the platform by the sync engine): each agency
 * with its clearance and whether a certificate of it is valid now, so the recipient picker
 * can show who may receive what. Sealing runs vault/seal-draft.ts with the signed-in
 * token through the token host (it signs; its private key never leaves it); a refusal of
 * the directory's policy crosses as `not-authorised` / `recipient-unknown` with the
 * agency at fault in `detail.organId` (and the reason in `detail.code`). An outbox package
 * is shown with its receipt and the notices its recipients signed.
 */
import { X509Certificate } from 'node:crypto';
import type { DirectoryAgency, ReceiptView } from '../api/exchange-contract.ts';
import { NiemError } from '../api/errors.ts';
import {
  tokenSenderRecipient,
  tokenSigner,
  type TokenOperations,
} from '../seal/pipeline/token-adapters.ts';
import { verifyStatement } from '../exchange/signed-statement.ts';
import {
  agencyNames,
  getOutbox,
  listAgencies,
  outboxNotices,
  outboxReceipt,
  sealDraft,
  SealRefused,
  trustAnchorCertificates,
  type Agency,
  type OutboxSummary,
  type Vault,
} from '../vault/index.ts';
import type { Handlers } from './dispatcher.ts';
import { outboxItem } from './outbox-view.ts';

export type ExchangeHandlers = Pick<Handlers, 'directory.list' | 'drafts.seal' | 'outbox.get'>;

/** What the handlers need besides the vault. */
export interface ExchangeHandlerOptions {
  /** The open vault, or throws `vault-locked`. */
  vault: () => Vault;
  /** The signed-in token (token host). */
  token: TokenOperations;
  /** Called after a draft was sealed (the sync engine sends it when it can). */
  sealed?: (outboxId: number) => void;
  /** Tests: the time certificates are checked at. */
  now?: () => Date;
}

const collator = new Intl.Collator('vi', { sensitivity: 'base' });

/** An agency as the picker shows it: its last certificate's expiry, and whether one is valid now. */
export function directoryAgency(agency: Agency, now: Date): DirectoryAgency {
  let validUntil: Date | undefined;
  let sealable = false;
  for (const der of agency.certificates) {
    const cert = new X509Certificate(der);
    const from = new Date(cert.validFrom);
    const to = new Date(cert.validTo);
    if (validUntil === undefined || to > validUntil) validUntil = to;
    if (from <= now && now < to) sealable = true;
  }
  return {
    organId: agency.organId,
    name: agency.name,
    clearance: agency.clearance,
    keyTransport: agency.keyTransport,
    certificateValidUntil: validUntil?.toISOString() ?? null,
    sealable,
  };
}

/**
 * The receipt of an outbox row, its signature checked again against the profile's trust
 * anchors (it was checked when it came); a receipt that no longer verifies is shown with
 * what the row knows and `verified: false`.
 */
async function receiptView(
  vault: Vault,
  row: OutboxSummary,
  now: Date,
): Promise<ReceiptView | null> {
  const held = outboxReceipt(vault, row.id);
  if (held === undefined) return null;
  try {
    const { statement } = await verifyStatement(held.der, {
      type: 'niem-receipt',
      trustAnchors: trustAnchorCertificates(vault),
      now,
    });
    return {
      platform: statement.platform,
      receivedAt: statement.receivedAt,
      sha256: statement.sha256,
      size: statement.size,
      recipients: statement.recipients,
      verified: statement.sha256 === row.packageSha256,
    };
  } catch {
    return {
      platform: '',
      receivedAt: held.at,
      sha256: row.packageSha256,
      size: row.size,
      recipients: row.recipients,
      verified: false,
    };
  }
}

/** A policy refusal with the agency it is about, for a precise message in the UI. */
function refusal(err: SealRefused): NiemError {
  return new NiemError(err.kind, err.message, {
    cause: err,
    detail: { organId: err.organId, code: err.reason },
  });
}

export function exchangeHandlers(options: ExchangeHandlerOptions): ExchangeHandlers {
  const now = options.now ?? (() => new Date());
  return {
    'directory.list': async () => {
      const agencies = listAgencies(options.vault());
      const at = now();
      const updated = agencies.reduce<string | null>(
        (latest, a) => (latest === null || a.updatedAt > latest ? a.updatedAt : latest),
        null,
      );
      return {
        agencies: agencies
          .map((a) => directoryAgency(a, at))
          .sort((a, b) => collator.compare(a.name, b.name) || a.organId.localeCompare(b.organId)),
        updatedAt: updated,
      };
    },
    'drafts.seal': async ({ id }) => {
      const vault = options.vault();
      const signer = await tokenSigner(options.token);
      const sender = await tokenSenderRecipient(options.token);
      try {
        const sealed = await sealDraft(vault, id, { signer, sender });
        options.sealed?.(sealed.outboxId);
        return {
          outboxId: sealed.outboxId,
          packageSha256: sealed.packageSha256,
          bytes: sealed.bytes,
          level: sealed.level,
          register: sealed.register,
          recipients: sealed.recipients,
        };
      } catch (err) {
        if (err instanceof SealRefused) throw refusal(err);
        throw err;
      }
    },
    'outbox.get': async ({ id }) => {
      const vault = options.vault();
      const row = getOutbox(vault, id);
      const notices = outboxNotices(vault, id);
      const names = agencyNames(vault, [...row.recipients, ...notices.map((n) => n.from)]);
      return {
        item: outboxItem(row, names),
        packageSha256: row.packageSha256,
        receipt: await receiptView(vault, row, now()),
        notices: notices.map((n) => ({
          status: n.status,
          from: { organId: n.from, name: names.get(n.from) ?? null },
          at: n.at,
          reason: n.reason,
          register: n.register,
        })),
      };
    },
  };
}
