/**
 * `niem rewrap`: moves a profile's vault to a new token when the clerk's token is lost or
 * replaced. The vault is opened with the agency's recovery key (a PEM file, the key's
 * passphrase from NIEM_RECOVERY_PASSPHRASE or a hidden prompt, never argv) or with the old
 * token, the new token signs in (NIEM_PIN or a hidden prompt), and the vault key is wrapped
 * anew for the new token's decryption / key-agreement certificate, the recovery
 * certificate kept (Vault.rewrap, docs/vault.md). The new identity and a `vault.rewrap`
 * audit entry are recorded and the new token signs the checkpoint. A refusal (a key that
 * does not open the vault, a token that cannot hold it) changes nothing.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { NiemError } from '../../native/api/errors.ts';
import {
  recipientCertificate,
  softwareRecipientKey,
  type RecipientKey,
} from '../../native/seal/cms-crypto/index.ts';
import { tokenRecipientKeys } from '../../native/seal/pipeline/index.ts';
import type { KeyHolder } from '../../native/vault/index.ts';
import { say } from '../cli-messages.ts';
import { pemBlocks, readInputFile, readOneCertificate } from '../cli-files.ts';
import { CommandFailure, failure, langsOf, readSecret, usage } from '../token-prompt.ts';
import { withSignedInToken } from '../token-session.ts';
import { profileMessages } from './profile-messages.ts';
import { withVault, type ProfileOptions, type TokenSession } from './profile-session.ts';

/** The options of `niem rewrap`. */
export interface RewrapOptions extends ProfileOptions {
  /** --recovery-key: the agency's recovery private key (PEM). */
  recoveryKey?: string;
  /** --recovery: the recovery certificate, when the key file does not hold it. */
  recovery?: string;
  /** --old-token: the token that opens the vault now. */
  oldToken?: string;
}

const isEncryptedPem = (text: string): boolean =>
  text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type: 4,ENCRYPTED/.test(text);

/**
 * The recovery key of `path` as a RecipientKey, with its certificate from `certPath` or
 * from the same PEM file. A key that is not the certificate's is `vault-key-mismatch`.
 */
async function readRecoveryKey(
  path: string,
  certPath: string | undefined,
  options: ProfileOptions,
): Promise<RecipientKey> {
  const { lang } = options;
  const data = await readInputFile(path, lang);
  const text = data.toString('latin1');
  const certificate =
    certPath === undefined
      ? pemBlocks(text, 'CERTIFICATE')[0]
      : await readOneCertificate(certPath, lang);
  if (certificate === undefined) {
    throw new CommandFailure(say(profileMessages.recoveryNoCertificate, lang, { path }), 2);
  }
  const encrypted = isEncryptedPem(text);
  const passphrase = encrypted
    ? await readSecret(
        'NIEM_RECOVERY_PASSPHRASE',
        profileMessages.recoveryPassphrasePrompt,
        profileMessages.noRecoveryPassphrase,
        lang,
        { path },
      )
    : undefined;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: data,
      format: 'pem',
      ...(passphrase === undefined ? {} : { passphrase }),
    });
  } catch (err) {
    const why = encrypted ? profileMessages.recoveryWrongPassphrase : { vi: '', en: '' };
    const text = langsOf(lang)
      .map((l) => say(profileMessages.recoveryKeyUnreadable, l, { path, why: why[l] }))
      .join('\n');
    throw new CommandFailure(text, 1, { kind: 'invalid-input', message: (err as Error).message });
  }
  let recipient;
  try {
    recipient = recipientCertificate(certificate);
  } catch (err) {
    throw failure(err, lang);
  }
  const spki = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });
  if (!spki(createPublicKey(privateKey)).equals(spki(recipient.publicKey))) {
    throw failure(
      new NiemError(
        'vault-key-mismatch',
        'the recovery key is not the key of the recovery certificate',
      ),
      lang,
    );
  }
  return softwareRecipientKey(privateKey, recipient);
}

/** The new token's certificate to wrap for; a token without one is refused, nothing changed. */
async function holderOf(session: TokenSession, lang: ProfileOptions['lang']): Promise<KeyHolder> {
  let sender;
  try {
    sender = await session.sender();
  } catch (err) {
    if (err instanceof NiemError && err.kind === 'key-usage-mismatch') {
      throw new CommandFailure(
        say(profileMessages.rewrapNoKey, lang, { label: session.token.label }),
        1,
        { kind: err.kind, message: err.message },
      );
    }
    throw err;
  }
  return {
    certificate: sender.certificate,
    ...(sender.oaepHash === undefined ? {} : { oaepHash: sender.oaepHash }),
  };
}

/**
 * `niem rewrap --token NEW --recovery-key KEY.pem [--recovery CERT.pem]` or
 * `niem rewrap --token NEW --old-token OLD`.
 */
export async function rewrapCommand(options: RewrapOptions): Promise<string> {
  const { lang } = options;
  if (!options.token) throw usage(lang, '--token');
  const newLabel = options.token;
  const { recoveryKey, oldToken } = options;
  if (
    (recoveryKey === undefined) === (oldToken === undefined) ||
    recoveryKey === '' ||
    oldToken === ''
  ) {
    throw new CommandFailure(say(profileMessages.rewrapSource, lang), 2);
  }
  if (oldToken !== undefined && options.recovery !== undefined) throw usage(lang, '--recovery');
  if (oldToken === newLabel) {
    throw new CommandFailure(say(profileMessages.rewrapSameToken, lang, { label: newLabel }), 2);
  }

  /**
   * Runs the re-wrap with the vault opened by `keys`, the new token signed in; a new token
   * that cannot hold the vault key is refused before the vault is opened.
   */
  const rewrapWith = async (
    keys: () => Promise<readonly RecipientKey[]>,
    via: { vi: string; en: string },
    from: Record<string, string>,
  ): Promise<string> => {
    let holder: KeyHolder | undefined;
    return withVault(
      options,
      async (vault, session) => {
        const { recovery } = await vault.rewrap(holder as KeyHolder, {
          ...from,
          token: session.token.label,
          serial: session.token.serial,
        });
        if (options.json) {
          return JSON.stringify({
            profile: options.profile,
            token: session.token.label,
            serial: session.token.serial,
            ...from,
            recovery,
          });
        }
        return langsOf(lang)
          .map((l) =>
            say(profileMessages.rewrapped, l, {
              profile: options.profile,
              label: session.token.label,
              via: via[l],
              recovery: recovery ? profileMessages.keepsRecovery[l] : '',
            }),
          )
          .join('\n');
      },
      {
        keys: async (session) => {
          holder = await holderOf(session, lang);
          return keys();
        },
      },
    );
  };

  if (recoveryKey !== undefined) {
    const key = await readRecoveryKey(recoveryKey, options.recovery, options);
    return rewrapWith(async () => [key], profileMessages.viaRecoveryKey, { via: 'recovery-key' });
  }
  const old = oldToken as string;
  try {
    return await withSignedInToken(
      options,
      old,
      async (service, token) => {
        if ([token.label, token.serial, token.id].includes(newLabel)) {
          throw new CommandFailure(
            say(profileMessages.rewrapSameToken, lang, { label: newLabel }),
            2,
          );
        }
        return rewrapWith(
          () => tokenRecipientKeys(service),
          {
            vi: say(profileMessages.viaOldToken, 'vi', { label: token.label }),
            en: say(profileMessages.viaOldToken, 'en', { label: token.label }),
          },
          { via: 'old-token', from: token.label, fromSerial: token.serial },
        );
      },
      { variable: 'NIEM_OLD_PIN', prompt: profileMessages.oldPinPrompt },
    );
  } catch (err) {
    throw failure(err, lang);
  }
}
