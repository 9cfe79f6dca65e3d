/**
 * What a clerk's session writes to the vault's audit trail, shared by the CLI
 * (cli/commands/profile-session.ts) and the native process (service/vault-service.ts):
 * at sign-in, who works (the actor named in every entry: the token signing certificate's
 * `CN #serial`) and the token's identity (recorded once, `identity.add`); at a sign-out
 * the clerk chose (logout, idle lock, quitting, the end of a CLI command), a checkpoint
 * signed by the token over the last entry. A session that ends because the token is gone
 * (removed, its module crashed, the process killed) cannot sign: its entries are covered
 * by the next session's checkpoint.
 */
import { checkpointAudit, type AuditCheckpoint } from '../audit/index.ts';
import { tokenSigner, type TokenOperations } from '../seal/pipeline/token-adapters.ts';
import { actorOf, recordIdentity, type VaultIdentity } from './identities.ts';
import type { Vault } from './vault.ts';

/** The signed-in token (a TokenService, or the token host's client in the native process). */
export type SessionToken = TokenOperations;

/** Who works in a session, for VaultOptions.actor and recordIdentity. */
export interface SessionIdentity {
  /** `CN #serial` of the signing certificate. */
  actor: string;
  /** DER of the signing certificate. */
  signingCertificate: Uint8Array;
  identity: VaultIdentity;
}

/**
 * The signed-in token's identity: `label` and `serial` as the token reports them, the
 * signing certificate and the decryption (RSA) or key-agreement (EC) certificate read
 * from the token.
 */
export async function sessionIdentity(
  token: Pick<SessionToken, 'capabilities' | 'signingCertificate'>,
  info: { label: string; serial: string },
): Promise<SessionIdentity> {
  const signingCertificate = await token.signingCertificate();
  const { keys } = await token.capabilities();
  const encryption = keys.decrypt ?? keys.derive;
  return {
    actor: actorOf(signingCertificate),
    signingCertificate,
    identity: {
      tokenLabel: info.label,
      tokenSerial: info.serial,
      signingCertificate,
      ...(encryption ? { encryptionCertificate: encryption.certificate } : {}),
    },
  };
}

/** Records the session's identity in `vault` when new (one transaction with its audit entry). */
export function recordSessionIdentity(vault: Vault, who: SessionIdentity): boolean {
  return recordIdentity(vault, who.identity);
}

/**
 * The clerk's sign-out: the token signs a checkpoint over the last audit entry (see
 * checkpointAudit). Call before closing the vault, while the token is still signed in.
 */
export async function signSessionCheckpoint(
  vault: Vault,
  token: SessionToken,
): Promise<AuditCheckpoint | null> {
  return checkpointAudit(vault.database, await tokenSigner(token));
}
