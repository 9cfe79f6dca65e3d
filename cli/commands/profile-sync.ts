/**
 * `niem sync --platform URL [--trust CA.pem …] [--retry-failed] [--json]`: one sync run
 * with the exchange platform (native/sync/sync-engine.ts) for the signed-in clerk: the
 * outbox goes out, notices and packages come in, our notices go back. The platform
 * address is remembered in the vault (later runs need no --platform); --trust files are
 * added to the profile's trust anchors, the only roots of the platform's TLS certificate,
 * its receipts, the notices and the directory. Exit 0 when everything that could be done
 * was done, 1 when something failed (each failed package says why and what to do).
 * Ctrl-C stops the transfer cleanly (it resumes next time).
 *
 * `niem trust add CA.pem…`, `niem trust list [--json]`, `niem trust remove SHA256`.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { NiemError, type WireError } from '../../native/api/errors.ts';
import { parseCertificate } from '../../native/seal/signed-data/index.ts';
import { receivePackage } from '../../native/sync/inbox-arrival.ts';
import { createPlatformClient } from '../../native/sync/platform-client.ts';
import {
  createSyncEngine,
  reportSucceeded,
  type FailedPackage,
  type SyncReport,
} from '../../native/sync/sync-engine.ts';
import {
  addTrustAnchors,
  getSyncState,
  listTrustAnchors,
  removeTrustAnchor,
  setPlatformUrl,
  trustAnchorCertificates,
  type OutboxSummary,
  type Vault,
} from '../../native/vault/index.ts';
import { formatDateTime } from '../cli-dates.ts';
import { describeError, say, type Lang } from '../cli-messages.ts';
import { readCertificates } from '../cli-files.ts';
import { CommandFailure } from '../token-prompt.ts';
import { dateCell } from './profile-format.ts';
import { profileMessages } from './profile-messages.ts';
import {
  langsOf,
  usage,
  withVault,
  type ProfileOptions,
  type TokenSession,
} from './profile-session.ts';
import { syncMessages as m } from './profile-sync-messages.ts';

/** Options of `niem sync`. */
export interface SyncCommandOptions extends ProfileOptions {
  platform?: string;
  trust: string[];
  retryFailed: boolean;
}

/** Reads --trust files before any token work (a bad path fails first). */
async function readTrustFiles(paths: readonly string[], lang: Lang) {
  return Promise.all(
    paths.map(async (path) => ({ path, ders: await readCertificates(path, lang) })),
  );
}

function addAnchors(vault: Vault, files: { path: string; ders: Uint8Array[] }[], lang: Lang) {
  const result = { added: 0, present: 0 };
  for (const file of files) {
    try {
      const done = addTrustAnchors(vault, file.ders);
      result.added += done.added.length;
      result.present += done.present.length;
    } catch (err) {
      if (err instanceof NiemError && (err.kind === 'invalid-input' || err.kind === 'malformed')) {
        throw new CommandFailure(say(m.trustNotCa, lang, { path: file.path }), 1, {
          kind: err.kind,
          message: err.message,
        });
      }
      throw err;
    }
  }
  return result;
}

/** The reason of a failure, in `l`: the platform's code when it gave one, else the kind's text. */
function reason(error: WireError, l: 'vi' | 'en'): string {
  const code = error.detail?.code;
  const codes: Record<string, string> = m.codes[l];
  const text = code === undefined ? undefined : codes[code];
  if (text !== undefined) return text.replace('{organId}', error.detail?.organId ?? '?');
  return describeError(error, l);
}

function failureLine(f: FailedPackage, l: 'vi' | 'en'): string {
  if (f.state === 'failed-retrying') {
    return say(m.retrying, l, {
      id: f.id,
      at: f.nextAttemptAt === null ? '-' : formatDateTime(f.nextAttemptAt),
      reason: reason(f.error, l),
    });
  }
  return say(m.failed, l, {
    id: f.id,
    reason: reason(f.error, l),
    action: m.actions[l][f.action ?? 'retry'],
  });
}

/** The run's summary in `l`. */
export function describeSync(report: SyncReport, platform: string, l: 'vi' | 'en'): string {
  const lines = [
    say(m.summary, l, {
      platform,
      sent: report.sent,
      delivered: report.delivered,
      received: report.received,
      notices: report.notices,
    }),
  ];
  if (report.requeued > 0) lines.push(say(m.requeued, l, { count: report.requeued }));
  if (report.directoryUpdated) lines.push(m.directoryUpdated[l]);
  for (const f of report.failures) lines.push(`  ${failureLine(f, l)}`);
  for (const f of report.inboxFailures) {
    lines.push(
      `  ${say(m.inboxFailed, l, { sha: f.sha256.slice(0, 16), reason: reason(f.error, l) })}`,
    );
  }
  if (report.refusedNotices.length > 0) {
    lines.push(say(m.noticesRefused, l, { count: report.refusedNotices.length }));
  }
  if (report.error !== null) lines.push(say(m.stopped, l, { reason: reason(report.error, l) }));
  if (report.aborted) lines.push(m.aborted[l]);
  if (report.waitingForClerk > 0) {
    lines.push(say(m.waiting, l, { count: report.waitingForClerk }));
  }
  return lines.join('\n');
}

/**
 * The state cell of an outbox row in `l`: the state, with the percentage while
 * uploading, the next attempt when retrying, the receipt's date when sent, the notices
 * held (01, 03 …) once delivered.
 */
export function outboxStateCell(o: OutboxSummary, l: 'vi' | 'en'): string {
  const name = profileMessages.transport[l][o.transportState];
  switch (o.transportState) {
    case 'uploading':
      return `${name} ${o.size === 0 ? 100 : Math.floor((o.bytesDone / o.size) * 100)}%`;
    case 'failed-retrying':
      return o.nextAttemptAt === null ? name : `${name} (${formatDateTime(o.nextAttemptAt)})`;
    case 'failed':
      return o.error === null ? name : `${name}: ${reason(o.error, l)}`;
    case 'sent':
    case 'delivered': {
      const notices = [...new Set(o.notices.map((n) => n.status))].join(', ');
      return notices === '' ? name : `${name} [${notices}]`;
    }
    default:
      return name;
  }
}

/** Intermediate CAs among the anchors (not self-issued), carried in the sign-in proof. */
function intermediates(anchors: readonly Uint8Array[]): Uint8Array[] {
  return anchors.filter((der) => {
    const cert = new X509Certificate(der);
    return cert.subject !== cert.issuer;
  });
}

async function run(
  vault: Vault,
  session: TokenSession,
  options: SyncCommandOptions,
  signal: AbortSignal,
): Promise<{ report: SyncReport; platform: string }> {
  const { lang } = options;
  const anchors = trustAnchorCertificates(vault);
  if (anchors.length === 0) throw new CommandFailure(say(m.noTrust, lang), 2);
  const url = options.platform ?? getSyncState(vault).platformUrl;
  if (url === null) throw new CommandFailure(say(m.noPlatform, lang), 2);
  const organId = parseCertificate(session.signingCertificate).subject.organizationIdentifier;
  if (organId === undefined) throw new CommandFailure(say(m.noOrganId, lang), 1);
  const signer = session.signer;
  const certificates = intermediates(anchors);
  const platform = createPlatformClient({
    url,
    trustAnchors: anchors,
    signer,
    organId,
    certificates,
    senderCertificateSha256: createHash('sha256').update(session.signingCertificate).digest('hex'),
  });
  try {
    const origin = setPlatformUrl(vault, platform.origin);
    const engine = createSyncEngine({
      vault,
      platform,
      organId,
      receivePackage: async (entry, client, entrySignal) => {
        const received = await receivePackage(vault, entry, client, {
          keys: await session.keys(),
          trustAnchors: trustAnchorCertificates(vault),
          signer: await signer(),
          organId,
          certificates,
          signal: entrySignal,
        });
        return { inboxId: received.inboxId };
      },
    });
    const report = await engine.runOnce(signal, { retryFailed: options.retryFailed });
    return { report, platform: origin };
  } finally {
    await platform.close();
  }
}

/** `niem sync`. */
export async function syncCommand(options: SyncCommandOptions): Promise<string> {
  const { lang } = options;
  if (options.platform === '') throw usage(lang, '--platform');
  const files = await readTrustFiles(options.trust, lang);
  const controller = new AbortController();
  const interrupt = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  try {
    const { report, platform } = await withVault(options, async (vault, session) => {
      addAnchors(vault, files, lang);
      return run(vault, session, options, controller.signal);
    });
    const text = langsOf(lang)
      .map((l) => describeSync(report, platform, l))
      .join('\n\n');
    const json = JSON.stringify({ platform, ok: reportSucceeded(report), report }, null, 2);
    if (reportSucceeded(report)) return options.json ? json : text;
    if (options.json) process.stdout.write(`${json}\n`);
    throw new CommandFailure(text, 1);
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}

/** `niem trust add CA.pem…`. */
export async function trustAddCommand(options: ProfileOptions, paths: string[]): Promise<string> {
  const { lang } = options;
  if (paths.length === 0) throw usage(lang, 'CA.pem');
  const files = await readTrustFiles(paths, lang);
  return withVault(options, async (vault) => {
    const done = addAnchors(vault, files, lang);
    if (options.json) return JSON.stringify({ ...done, anchors: anchorsJson(vault) }, null, 2);
    return say(m.trustAdded, lang, done);
  });
}

const anchorsJson = (vault: Vault) =>
  listTrustAnchors(vault).map(({ certificate: _der, ...rest }) => rest);

/** `niem trust list [--json]`: each anchor's fingerprint, subject, expiry and when it was added. */
export async function trustListCommand(options: ProfileOptions): Promise<string> {
  return withVault(options, async (vault) => {
    const anchors = anchorsJson(vault);
    if (options.json) return JSON.stringify({ anchors }, null, 2);
    return langsOf(options.lang)
      .map((l) => {
        if (anchors.length === 0) return profileMessages.empty[l];
        const h = m.trustHeadings[l];
        return anchors
          .map((a) =>
            [
              `${h.sha256} ${a.sha256}`,
              `  ${h.subject}: ${a.subject}`,
              `  ${h.notAfter}: ${dateCell(a.notAfter)}  ${h.addedAt}: ${dateCell(a.addedAt)} (${a.addedBy})`,
            ].join('\n'),
          )
          .join('\n');
      })
      .join('\n\n');
  });
}

/** `niem trust remove SHA256`. */
export async function trustRemoveCommand(options: ProfileOptions, sha256: string): Promise<string> {
  const { lang } = options;
  return withVault(options, async (vault) => {
    if (!removeTrustAnchor(vault, sha256)) {
      throw new CommandFailure(say(m.trustNotFound, lang, { sha256 }), 1, {
        kind: 'not-found',
        message: `no trust anchor ${sha256}`,
      });
    }
    return options.json
      ? JSON.stringify({ removed: sha256 })
      : say(m.trustRemoved, lang, { sha256 });
  });
}
