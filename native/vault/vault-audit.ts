/**
 * The vault's stores record every state change in the audit trail (native/audit) inside
 * the transaction of the change, so the change and its record commit or roll back
 * together. The actor is the session's (VaultOptions.actor: the token certificate's CN and
 * serial), the time the vault's clock.
 */
import { appendAudit, type AppendedAuditEntry } from '../audit/index.ts';
import type { LevelCode } from '../seal/levels.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import type { Vault } from './vault.ts';

/** What a store says about one change; the actor and time come from the vault. */
export interface VaultAuditEntry {
  /** A stable code, e.g. `draft.seal`, `inbox.import` (a-z 0-9 . _ : -). */
  action: string;
  /** SHA-256 of the sealed package concerned, 64 lowercase hex digits. */
  package?: string | null;
  level?: LevelCode | null;
  /** Ids, counts, register numbers: never a subject, document text, PIN or key. */
  detail?: Record<string, unknown>;
}

/** Appends `entry` inside the caller's transaction on `db` (the vault's connection). */
export function recordAudit(
  vault: Vault,
  db: SqliteDatabase,
  entry: VaultAuditEntry,
): AppendedAuditEntry {
  return appendAudit(
    db,
    {
      actor: vault.actor,
      action: entry.action,
      package: entry.package ?? null,
      level: entry.level ?? null,
      detail: entry.detail ?? {},
    },
    { now: new Date(vault.timestamp()) },
  );
}

/** SHA-256 bytes as 64 lowercase hex digits. */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
