/**
 * What the profile keeps of the platform it syncs with (`sync_state`, one row): its
 * address, the mailbox cursor acknowledged, the directory's ETag, and how the last run
 * ended. The address is remembered after the first sync; a different address starts
 * afresh (cursor and ETag belong to a platform). Changing the address is audited
 * (`sync.platform`); cursor and ETag are bookkeeping.
 */
import { NiemError, type ErrorKind, type WireError } from '../api/errors.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** The platform bookkeeping of a profile. */
export interface SyncState {
  /** The platform origin (`https://host:port`); null before the first sync. */
  platformUrl: string | null;
  /** The last mailbox cursor acknowledged to the platform; null before any. */
  mailboxCursor: string | null;
  /** The ETag of the directory last cached from the platform. */
  directoryEtag: string | null;
  /** When the last run ended (ISO 8601 UTC). */
  lastRunAt: string | null;
  /** Why the last run could not do everything; null when it did. */
  lastError: WireError | null;
}

interface Row {
  platform_url: string | null;
  mailbox_cursor: string | null;
  directory_etag: string | null;
  last_run_at: string | null;
  last_error_kind: string | null;
  last_error: string | null;
}

/** The origin of a platform address: `https://host[:port]`; `invalid-input` otherwise. */
export function platformOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NiemError('invalid-input', `${url} is not a platform address (https://host:port)`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new NiemError('invalid-input', `${url}: a platform address is https://host:port`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new NiemError('invalid-input', 'a platform address carries no user name or password');
  }
  return parsed.origin;
}

/** The profile's sync bookkeeping (all null before the first sync). */
export function getSyncState(vault: Vault): SyncState {
  const row = vault.database.prepare('SELECT * FROM sync_state WHERE id = 1').get() as
    Row | undefined;
  return {
    platformUrl: row?.platform_url ?? null,
    mailboxCursor: row?.mailbox_cursor ?? null,
    directoryEtag: row?.directory_etag ?? null,
    lastRunAt: row?.last_run_at ?? null,
    lastError:
      row === undefined || row.last_error_kind === null
        ? null
        : { kind: row.last_error_kind as ErrorKind, message: row.last_error ?? '' },
  };
}

function ensureRow(vault: Vault): void {
  vault.database
    .prepare('INSERT OR IGNORE INTO sync_state (id, updated_at) VALUES (1, ?)')
    .run(vault.timestamp());
}

/**
 * Remembers the platform address (its origin). A different one than held forgets the
 * cursor and the ETag of the previous platform. Returns the origin.
 */
export function setPlatformUrl(vault: Vault, url: string): string {
  const origin = platformOrigin(url);
  vault.transaction((db) => {
    ensureRow(vault);
    const previous = getSyncState(vault).platformUrl;
    if (previous === origin) return;
    db.prepare(
      `UPDATE sync_state SET platform_url = ?, mailbox_cursor = NULL, directory_etag = NULL,
         updated_at = ? WHERE id = 1`,
    ).run(origin, vault.timestamp());
    recordAudit(vault, db, { action: 'sync.platform', detail: { platform: origin, previous } });
  });
  return origin;
}

/** Records the mailbox cursor the platform acknowledged (never moves it backwards). */
export function setMailboxCursor(vault: Vault, cursor: string): void {
  if (!/^[0-9]{1,20}$/.test(cursor)) throw new NiemError('invalid-input', 'a cursor is decimal');
  vault.transaction((db) => {
    ensureRow(vault);
    const held = getSyncState(vault).mailboxCursor;
    if (held !== null && BigInt(held) >= BigInt(cursor)) return;
    db.prepare('UPDATE sync_state SET mailbox_cursor = ?, updated_at = ? WHERE id = 1').run(
      cursor,
      vault.timestamp(),
    );
  });
}

/** Records the ETag of the directory just cached. */
export function setDirectoryEtag(vault: Vault, etag: string): void {
  vault.transaction((db) => {
    ensureRow(vault);
    db.prepare('UPDATE sync_state SET directory_etag = ?, updated_at = ? WHERE id = 1').run(
      etag,
      vault.timestamp(),
    );
  });
}

/** Records how a run ended: at `at`, with the error that stopped part of it or null. */
export function recordSyncRun(vault: Vault, at: string, error: WireError | null): void {
  vault.transaction((db) => {
    ensureRow(vault);
    db.prepare(
      `UPDATE sync_state SET last_run_at = ?, last_error_kind = ?, last_error = ?, updated_at = ?
       WHERE id = 1`,
    ).run(at, error?.kind ?? null, error?.message.slice(0, 2000) ?? null, vault.timestamp());
  });
}
