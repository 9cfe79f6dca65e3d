/**
 * What the vault (profile) commands share: the profile folder, signing in on the token
 * (PIN from NIEM_PIN or a hidden prompt, never argv), opening the vault with the token's
 * keys, and at the end of every command that used the token, the clerk's logout: the
 * audit trail's signed checkpoint, the vault closed (keys zeroed) and the token closed.
 */
import { resolve } from 'node:path';
import type { RecipientKey } from '../../native/seal/cms-crypto/index.ts';
import {
  tokenRecipientKeys,
  tokenSenderRecipient,
  tokenSigner,
} from '../../native/seal/pipeline/index.ts';
import type { PackageRecipient } from '../../native/seal/pipeline/index.ts';
import type { SignerSpec } from '../../native/seal/signed-data/index.ts';
import type { TokenService } from '../../native/token/token-service.ts';
import type { TokenInfo } from '../../native/api/contract.ts';
import { loadSettings, profileDir as appProfileDir } from '../../native/service/settings.ts';
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
import { type Lang, say } from '../cli-messages.ts';
import { failure, usage } from '../token-prompt.ts';
import { withSignedInToken } from '../token-session.ts';
import { profileMessages } from './profile-messages.ts';

export { failure, langsOf, usage } from '../token-prompt.ts';

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

/**
 * `--profile`, else the app's own profile (NIEM_PROFILE_DIR, the settings' `profileDir`,
 * else `profile/` in the app's data folder): the CLI and the app work on the same vault.
 */
export function profileDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined && flag !== '') return resolve(flag);
  return appProfileDir(loadSettings(env).settings, env);
}

/** The token session of a signed-in `service`: who works, and the token's operations. */
async function tokenSession(service: TokenService, token: TokenInfo): Promise<TokenSession> {
  const who = await sessionIdentity(service, token);
  return {
    service,
    token,
    actor: who.actor,
    signingCertificate: who.signingCertificate,
    who,
    signer: () => tokenSigner(service),
    keys: () => tokenRecipientKeys(service),
    sender: () => tokenSenderRecipient(service),
  };
}

/** Signs in on `options.token` and runs `work`; the token is always closed after. */
export async function withTokenSession<T>(
  options: ProfileOptions,
  work: (session: TokenSession) => Promise<T>,
): Promise<T> {
  if (!options.token) throw usage(options.lang, '--token');
  return withSignedInToken(options, options.token, async (service, token) =>
    work(await tokenSession(service, token)),
  );
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
  /**
   * The keys that open the vault; default the signed-in token's. Called once signed in,
   * before the vault is touched (it may refuse): a re-wrap opens the vault with the
   * recovery key or the old token while the new token signs in.
   */
  keys?: (session: TokenSession) => Promise<readonly RecipientKey[]>;
}

/**
 * Signs in, opens the profile's vault with the token's keys (or `sessionOptions.keys`),
 * the session's actor named in every audit entry, records the token's identity, runs
 * `work`, then logs out: signs an audit checkpoint with the token, closes the vault and the
 * token. Errors become vi/en CommandFailures.
 */
export async function withVault<T>(
  options: ProfileOptions,
  work: (vault: Vault, session: TokenSession) => Promise<T>,
  sessionOptions: VaultSessionOptions = {},
): Promise<T> {
  try {
    return await withTokenSession(options, async (session) => {
      const keys = await (sessionOptions.keys?.(session) ?? session.keys());
      const { vault, report } = await openVault(options.profile, keys, {
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
