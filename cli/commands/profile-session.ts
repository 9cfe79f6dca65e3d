/**
 * What the vault (profile) commands share: the profile folder, signing in on the token
 * (PIN from NIEM_PIN or a hidden prompt, never argv), opening the vault with the token's
 * keys, and at the end of every command that used the token, the clerk's logout: the
 * audit trail's signed checkpoint, the vault closed (keys zeroed) and the token closed.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { NiemError, toWireError } from '../../native/api/errors.ts';
import type { RecipientKey } from '../../native/seal/cms-crypto/index.ts';
import {
  tokenRecipientKeys,
  tokenSenderRecipient,
  tokenSigner,
} from '../../native/seal/pipeline/index.ts';
import type { PackageRecipient } from '../../native/seal/pipeline/index.ts';
import type { SignerSpec } from '../../native/seal/signed-data/index.ts';
import { settingsPath } from '../../native/service/settings.ts';
import { resolveModules } from '../../native/token/module-config.ts';
import { TokenService } from '../../native/token/token-service.ts';
import type { TokenInfo } from '../../native/api/contract.ts';
import {
  openVault,
  recordSessionIdentity,
  sessionIdentity,
  signSessionCheckpoint,
  type OpenReport,
  type SessionIdentity,
  type Vault,
  type VaultOptions,
} from '../../native/vault/index.ts';
import { formatDateTime } from '../cli-dates.ts';
import { cliMessages, describeError, say, type Lang } from '../cli-messages.ts';
import { CommandFailure, pickToken, readPin } from '../token-prompt.ts';
import { profileMessages } from './profile-messages.ts';

/** The parsed options every profile command receives. */
export interface ProfileOptions {
  lang: Lang;
  json: boolean;
  profile: string;
  token?: string;
  module?: string;
}

/** A signed-in token as the vault commands use it. */
export interface TokenSession {
  service: TokenService;
  token: TokenInfo;
  /** `CN #serial` of the signing certificate. */
  actor: string;
  signingCertificate: Uint8Array;
  /** Who works, as the vault's audit names and records it (native/vault/session-audit.ts). */
  who: SessionIdentity;
  signer: () => Promise<SignerSpec>;
  keys: () => Promise<RecipientKey[]>;
  sender: () => Promise<PackageRecipient>;
}

/** `--profile`, else `$XDG_DATA_HOME/niem/profile`, else `~/.local/share/niem/profile`. */
export function profileDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined && flag !== '') return resolve(flag);
  const base =
    env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== ''
      ? env.XDG_DATA_HOME
      : join(homedir(), '.local', 'share');
  return join(base, 'niem', 'profile');
}

/** A usage failure (exit 2) naming what is missing or wrong. */
export const usage = (lang: Lang, detail: string): CommandFailure =>
  new CommandFailure(say(cliMessages.usageError, lang, { detail }), 2);

/** A failure of the operation: the kind's vi/en text, exit 1. */
export function failure(err: unknown, lang: Lang): CommandFailure {
  if (err instanceof CommandFailure) return err;
  const wire = toWireError(err);
  return new CommandFailure(describeError(wire, lang), 1, wire);
}

/** Signs in on `options.token` and runs `work`; the token is always closed after. */
export async function withTokenSession<T>(
  options: ProfileOptions,
  work: (session: TokenSession) => Promise<T>,
): Promise<T> {
  const { lang } = options;
  if (!options.token) throw usage(lang, '--token');
  const label = options.token;
  const { modules } = resolveModules({
    ...(options.module ? { flag: options.module } : {}),
    env: process.env,
    settingsFile: settingsPath(process.env),
  });
  const service = await TokenService.open({ modules });
  try {
    for (const m of service.moduleProblems) {
      process.stderr.write(
        `${say(cliMessages.moduleFailed, lang, { path: m.path, reason: m.reason })}\n`,
      );
    }
    const token = pickToken(await service.listTokens(), label, lang);
    if (token.pinState === 'locked') throw new NiemError('pin-locked', 'locked');
    let pin: string | null = null;
    if (token.protectedAuthPath) {
      process.stderr.write(`${say(cliMessages.usePinPad, lang, { label: token.label })}\n`);
    } else {
      pin = await readPin('NIEM_PIN', cliMessages.pinPrompt, lang, { label: token.label });
    }
    await service.login(token.id, pin);
    pin = null;
    const who = await sessionIdentity(service, token);
    return await work({
      service,
      token,
      actor: who.actor,
      signingCertificate: who.signingCertificate,
      who,
      signer: () => tokenSigner(service),
      keys: () => tokenRecipientKeys(service),
      sender: () => tokenSenderRecipient(service),
    });
  } finally {
    await service.close();
  }
}

/** Tells the clerk (stderr) what an open restored, if anything. */
export function reportOpen(report: OpenReport, lang: Lang): void {
  if (report.restored === undefined) return;
  process.stderr.write(
    `${say(profileMessages.restoredSnapshot, lang, {
      at: formatDateTime(report.restored.snapshotAt),
      kept: report.restored.damagedKeptAs ?? '-',
    })}\n`,
  );
}

/** Options of withVault. */
export interface VaultSessionOptions {
  /** False: no checkpoint at the end (a failed audit verification must not be re-signed). */
  checkpoint?: (vault: Vault) => boolean;
  /** Settings of the open (e.g. a full integrity check after a restore). */
  open?: Omit<VaultOptions, 'actor'>;
}

/**
 * Signs in, opens the profile's vault with the token's keys (the session's actor named in
 * every audit entry), records the token's identity, runs `work`, then logs out: signs an
 * audit checkpoint with the token, closes the vault and the token. Errors become vi/en
 * CommandFailures.
 */
export async function withVault<T>(
  options: ProfileOptions,
  work: (vault: Vault, session: TokenSession) => Promise<T>,
  sessionOptions: VaultSessionOptions = {},
): Promise<T> {
  try {
    return await withTokenSession(options, async (session) => {
      const { vault, report } = await openVault(options.profile, await session.keys(), {
        ...sessionOptions.open,
        actor: session.actor,
      });
      try {
        reportOpen(report, options.lang);
        recordSessionIdentity(vault, session.who);
        let failed = false;
        try {
          return await work(vault, session);
        } catch (err) {
          failed = true;
          throw err;
        } finally {
          // The clerk's logout: sign the trail as it stands, after a refusal too.
          if (sessionOptions.checkpoint?.(vault) ?? true) {
            try {
              await signSessionCheckpoint(vault, session.service);
            } catch (err) {
              if (!failed) throw err; // eslint-disable-line no-unsafe-finally
            }
          }
        }
      } finally {
        await vault.close();
      }
    });
  } catch (err) {
    throw failure(err, options.lang);
  }
}

/** The languages to print, one block each. */
export const langsOf = (lang: Lang): ('vi' | 'en')[] => (lang === 'both' ? ['vi', 'en'] : [lang]);
