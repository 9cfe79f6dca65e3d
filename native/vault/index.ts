/**
 * The vault: the clerk's encrypted local store (SQLite with page encryption, encrypted
 * blob files, a token-wrapped key, snapshots). docs/vault.md describes the files.
 */
export {
  Vault,
  initVault,
  openVault,
  rewrapVault,
  type InitVaultOptions,
  type KeyHolder,
  type OpenReport,
  type VaultOptions,
} from './vault.ts';
export { runTransaction, checkIntegrity, type IntegrityCheck } from './database.ts';
export {
  SCHEMA_VERSION,
  migrate,
  migrations,
  schemaVersion,
  type Migration,
} from './migrations/index.ts';
export {
  listSnapshots,
  type RestoredSnapshot,
  type SnapshotInfo,
  type SnapshotPolicy,
} from './snapshots.ts';
export type { StoredBlob } from './blob-store.ts';
export type { SqliteDatabase } from './sqlite-lib.ts';
export * from './drafts.ts';
export * from './draft-edits.ts';
export * from './draft-queries.ts';
export * from './directory.ts';
export * from './registers.ts';
export * from './seal-draft.ts';
export * from './outbox.ts';
export * from './outbox-transport.ts';
export * from './outbox-notices.ts';
export * from './trust-anchors.ts';
export * from './sync-state.ts';
export * from './inbox.ts';
export { recordAudit, type VaultAuditEntry } from './vault-audit.ts';
export { WORK_DIR, sweepWorkDir } from './work-dir.ts';
export * from './identities.ts';
export { backupVault, restoreVaultFiles, type BackupSummary } from './vault-backup.ts';
export * from './session-audit.ts';
