/**
 * A package arriving from the platform (issue 6, item 11): `receivePackage` takes one
 * package entry of the mailbox through
 *
 * 1. download with resume into encrypted segment files of the vault
 *    (./inbox-arrival-download.ts; a killed client resumes at the last kept segment);
 * 2. the whole package re-written as one vault blob, its SHA-256 and size checked against
 *    the entry (else `platform-bad-reply`: everything downloaded is dropped);
 * 3. a package not addressed to this profile's token is refused before it is stored
 *    (`not-for-us`: only the refusal is recorded, nothing else changes);
 * 4. import into the inbox (status 01; a package the inbox already held, say after a
 *    crash, is taken as stored);
 * 5. the 01 notice signed and queued;
 * 6. complete verification into the vault (native/vault/inbox-verify.ts: documents into
 *    encrypted blobs, never a plaintext file), then registered (03) or refused (02, with
 *    the reason in Vietnamese, also when the signed sender is not the platform's claim);
 * 7. the 03 or 02 notice signed and queued (sent by `sendPendingNotices`).
 *
 * Every step is recorded before the next, so calling it again for the same entry (after
 * a crash, a stop, or an acknowledgement the platform lost) finishes what is left and
 * changes nothing that was done. It resolves once the entry is handled for good (the
 * engine may acknowledge it), rejects when it could not be handled now.
 */
import { NiemError, toWireError, type WireError } from '../api/errors.ts';
import { PackageEntrySchema, type MailboxEntry } from '../exchange/platform-wire.ts';
import type { RecipientKey } from '../seal/cms-crypto/index.ts';
import {
  beginArrival,
  discardArrivalSegments,
  forgetArrival,
  getArrival,
  importInboxBlob,
  markArrivalStored,
  readArrivalSegments,
  refusalOf,
  refuseArrival,
  removeArrivalFiles,
  verifyArrival,
  type Arrival,
  type BusinessStatus,
  type RegisterNumber,
  type StoredBlob,
  type Vault,
} from '../vault/index.ts';
import { inboxPackageRow } from '../vault/inbox-rows.ts';
import { addressedTo, downloadArrival } from './inbox-arrival-download.ts';
import { queueNotices, type NoticeIdentity } from './notices-out.ts';
import type { PlatformApi, TransferProgress } from './platform-api.ts';

/** A package entry of the mailbox. */
export type PackageEntry = Extract<MailboxEntry, { kind: 'package' }>;

/** What receivePackage needs besides the entry: the clerk's token and the profile's trust. */
export interface ReceiveOptions extends NoticeIdentity {
  /** The token's decryption / key-agreement keys. */
  keys: RecipientKey[];
  /** Root certificates (DER) the package's signers must chain to. */
  trustAnchors: readonly Uint8Array[];
  /** Stops the download (what came is kept) and the steps after it. */
  signal?: AbortSignal;
  /** Download progress, in bytes of the package. */
  progress?: TransferProgress;
  /** Tests: the time for the chain checks. */
  now?: Date;
  /** Bytes per segment file of a download in progress (default 8 MiB). */
  segmentBytes?: number;
}

/** What an arrival came to. */
export interface ReceivedPackage {
  sha256: string;
  /** The inbox item; null when the package was refused before it was stored. */
  inboxId: number | null;
  /** registered (03), refused (02), or not-for-us (not stored at all). */
  outcome: 'registered' | 'refused' | 'not-for-us';
  /** The inbox item's business status now (a clerk may have moved it on). */
  status: BusinessStatus | null;
  register: RegisterNumber | null;
  /** Why it was refused: a code and the reason (Vietnamese, as the 02 notice states it). */
  refusal: { code: string; reason: string } | null;
  /** For not-for-us: the error as the clerk reads it (kind `not-a-recipient` or `malformed`). */
  error: WireError | null;
  /** Bytes this call downloaded (0 when the package was kept before). */
  downloaded: number;
  /** Notices this call signed and queued. */
  noticesQueued: number;
}

const running = new Map<string, Promise<ReceivedPackage>>();

/** Receives one package entry of the mailbox; see the module comment. */
export async function receivePackage(
  vault: Vault,
  entry: PackageEntry,
  platform: PlatformApi,
  options: ReceiveOptions,
): Promise<ReceivedPackage> {
  const parsed = PackageEntrySchema.safeParse(entry);
  if (!parsed.success) {
    throw new NiemError('platform-bad-reply', `a mailbox entry that is not a package entry`);
  }
  const key = `${vault.profileDir}\0${parsed.data.sha256}`;
  const previous = running.get(key);
  if (previous !== undefined) await previous.catch(() => undefined);
  const work = receive(vault, parsed.data, platform, options);
  running.set(key, work);
  try {
    return await work;
  } finally {
    if (running.get(key) === work) running.delete(key);
  }
}

async function receive(
  vault: Vault,
  entry: PackageEntry,
  platform: PlatformApi,
  options: ReceiveOptions,
): Promise<ReceivedPackage> {
  const { sha256 } = entry;
  let arrival = await beginArrival(vault, {
    sha256,
    size: entry.size,
    level: entry.level,
    sender: entry.sender,
  });
  let downloaded = 0;
  for (let attempt = 0; arrival.state === 'downloading'; attempt++) {
    downloaded += await downloadArrival(vault, arrival, platform, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.segmentBytes ? { segmentBytes: options.segmentBytes } : {}),
    });
    options.signal?.throwIfAborted();
    // 'again' (the kept segments were damaged and dropped): the loop downloads anew.
    await storeArrival(vault, arrival, options.keys, attempt === 0);
    arrival = getArrival(vault, sha256) as Arrival;
  }
  if (arrival.state === 'not-for-us') return result(vault, arrival, downloaded, 0);
  options.signal?.throwIfAborted();
  const inboxId = arrival.inboxId as number;
  let noticesQueued = await queueNotices(vault, options, inboxId); // 01 (and any missing)
  if (arrival.state === 'stored') {
    options.signal?.throwIfAborted();
    await verifyArrival(vault, arrival, {
      keys: options.keys,
      trustAnchors: options.trustAnchors,
      ...(options.now ? { now: options.now } : {}),
    });
    arrival = getArrival(vault, sha256) as Arrival;
  }
  noticesQueued += await queueNotices(vault, options, inboxId); // 03 or 02
  return result(vault, arrival, downloaded, noticesQueued);
}

const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * Steps 2–4 for a complete download: one blob, checked, addressed to us, imported.
 * 'again' when the kept segments proved damaged (dropped; the caller downloads again).
 */
async function storeArrival(
  vault: Vault,
  arrival: Arrival,
  keys: readonly RecipientKey[],
  mayRetry: boolean,
): Promise<'stored' | 'not-for-us' | 'again'> {
  const { sha256, size } = arrival;
  let written: StoredBlob;
  try {
    written = await vault.writeBlob(readArrivalSegments(vault, sha256));
  } catch (err) {
    const damaged =
      err instanceof NiemError && (err.kind === 'vault-corrupt' || err.kind === 'not-found');
    if (!damaged || !mayRetry) throw err;
    await discardArrivalSegments(vault, sha256);
    return 'again';
  }
  if (hexOf(written.sha256) !== sha256 || written.size !== size) {
    await vault.discardBlob(written);
    await forgetArrival(vault, sha256);
    throw new NiemError(
      'platform-bad-reply',
      `the package downloaded (${written.size} bytes) does not match the SHA-256 and size ` +
        `the platform announced for ${sha256} (${size} bytes); nothing was kept`,
    );
  }
  let ours: boolean;
  try {
    ours = await addressedTo(vault.readWrittenBlob(written), keys);
  } catch (err) {
    await vault.discardBlob(written);
    if (!(err instanceof NiemError && err.kind === 'malformed')) throw err;
    await refuseArrival(vault, sha256, refusalOf('malformed'));
    return 'not-for-us';
  }
  if (!ours) {
    await vault.discardBlob(written);
    await refuseArrival(vault, sha256, refusalOf('not-a-recipient'));
    return 'not-for-us';
  }
  let files: string[] = [];
  try {
    await importInboxBlob(vault, written, (db, inboxId) => {
      files = markArrivalStored(vault, db, sha256, inboxId);
    });
  } catch (err) {
    if (!(err instanceof NiemError)) throw err;
    if (err.kind === 'malformed') {
      await refuseArrival(vault, sha256, refusalOf('malformed'));
      return 'not-for-us';
    }
    if (err.kind !== 'already-imported') throw err;
    // Stored before (imported from a file, or by a run that died before recording this).
    const inboxId = vault.database
      .prepare('SELECT id FROM inbox WHERE package_sha256 = ?')
      .pluck()
      .get(Buffer.from(sha256, 'hex')) as number;
    files = vault.transaction((db) => markArrivalStored(vault, db, sha256, inboxId));
  }
  await removeArrivalFiles(vault, files);
  return 'stored';
}

function result(
  vault: Vault,
  arrival: Arrival,
  downloaded: number,
  noticesQueued: number,
): ReceivedPackage {
  const refusal =
    arrival.refusalKind === null
      ? null
      : { code: arrival.refusalKind, reason: arrival.refusalReason ?? '' };
  if (arrival.state === 'not-for-us' || arrival.inboxId === null) {
    const kind = arrival.refusalKind === 'malformed' ? 'malformed' : 'not-a-recipient';
    return {
      sha256: arrival.sha256,
      inboxId: null,
      outcome: 'not-for-us',
      status: null,
      register: null,
      refusal,
      error: toWireError(
        new NiemError(kind, `package ${arrival.sha256} refused: ${refusal?.code ?? kind}`),
      ),
      downloaded,
      noticesQueued,
    };
  }
  const row = inboxPackageRow(vault.database, arrival.inboxId);
  const register =
    (vault.database
      .prepare('SELECT year, number FROM incoming_register WHERE inbox_id = ?')
      .get(row.id) as RegisterNumber | undefined) ?? null;
  return {
    sha256: arrival.sha256,
    inboxId: row.id,
    outcome: refusal === null ? 'registered' : 'refused',
    status: row.status,
    register,
    refusal,
    error: null,
    downloaded,
    noticesQueued,
  };
}
