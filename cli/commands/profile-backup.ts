/**
 * `niem backup --out FILE` and `niem restore FILE`: an encrypted copy of the vault as one
 * tar file (native/vault/vault-backup.ts), restored only into an empty profile and then
 * opened with the token and checked in full before it counts as restored.
 */
import { rm } from 'node:fs/promises';
import { NiemError } from '../../native/api/errors.ts';
import { backupVault, recordAudit, restoreVaultFiles } from '../../native/vault/index.ts';
import { say } from '../cli-messages.ts';
import { assertReadableFile } from '../cli-files.ts';
import { CommandFailure } from '../token-prompt.ts';
import { profileMessages } from './profile-messages.ts';
import { failure, usage, withVault, type ProfileOptions } from './profile-session.ts';

/** `niem backup --out FILE`. */
export async function backupCommand(options: ProfileOptions & { out?: string }): Promise<string> {
  const { lang } = options;
  if (!options.out) throw usage(lang, '--out');
  const out = options.out;
  return withVault(options, async (vault) => {
    let summary;
    try {
      summary = await backupVault(vault, out);
    } catch (err) {
      if (err instanceof NiemError && err.kind === 'invalid-input') {
        throw new CommandFailure(say(profileMessages.outExists, lang, { path: out }), 1);
      }
      throw err;
    }
    vault.transaction((db) =>
      recordAudit(vault, db, {
        action: 'vault.backup',
        detail: { files: summary.files, bytes: summary.bytes },
      }),
    );
    if (options.json) return JSON.stringify(summary);
    return say(profileMessages.backedUp, lang, {
      path: out,
      files: summary.files,
      bytes: summary.bytes,
    });
  });
}

/** `niem restore FILE` into an empty profile. */
export async function restoreCommand(options: ProfileOptions, file: string): Promise<string> {
  const { lang } = options;
  if (!options.token) throw usage(lang, '--token');
  await assertReadableFile(file, lang);
  try {
    await restoreVaultFiles(file, options.profile);
  } catch (err) {
    if (err instanceof NiemError && err.kind === 'vault-exists') {
      throw new CommandFailure(
        say(profileMessages.restoreNotEmpty, lang, { profile: options.profile }),
        1,
        { kind: err.kind, message: err.message },
      );
    }
    if (err instanceof NiemError && err.kind === 'malformed') {
      throw new CommandFailure(
        say(profileMessages.backupInvalid, lang, { path: file, detail: err.message }),
        1,
        { kind: err.kind, message: err.message },
      );
    }
    throw failure(err, lang);
  }
  try {
    return await withVault(
      options,
      async (vault) => {
        vault.transaction((db) => recordAudit(vault, db, { action: 'vault.restore', detail: {} }));
        return say(profileMessages.restored, lang, { path: file, profile: options.profile });
      },
      { open: { integrityCheck: 'full' } },
    );
  } catch (err) {
    // A restore this token cannot open (or that fails its check) is not kept.
    await rm(options.profile, { recursive: true, force: true });
    throw err;
  }
}
