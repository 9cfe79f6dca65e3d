/**
 * The token as the seal pipeline sees it: a SignerSpec for its signing key, the
 * RecipientKeys of its decryption (RSA-OAEP) and key-agreement (ECDH) keys, and the
 * sender's own recipient entry. Only the few TokenService methods below are used, as
 * a structural type, so a client of the token host can stand in for the service in
 * the native process (which never loads PKCS#11 itself).
 */
import { NiemError } from '../../api/errors.ts';
import type { TokenService } from '../../token/token-service.ts';
import { recipientCertificate, type RecipientKey } from '../cms-crypto/index.ts';
import { defaultSignAlgorithm, parseCertificate, type SignerSpec } from '../signed-data/index.ts';
import type { PackageRecipient } from './seal-package.ts';

/** What the adapters need of a signed-in token. */
export type TokenOperations = Pick<
  TokenService,
  'sign' | 'decrypt' | 'deriveEcdh' | 'capabilities' | 'signingCertificate'
>;

/** The token's signing key as a SignerSpec (the token signs the digest of the signedAttrs). */
export async function tokenSigner(token: TokenOperations): Promise<SignerSpec> {
  const certificate = await token.signingCertificate();
  const capabilities = await token.capabilities();
  const algorithm = defaultSignAlgorithm(parseCertificate(certificate));
  if (!capabilities.signDigest.includes(algorithm)) {
    throw new NiemError(
      'mechanism-unsupported',
      `the token cannot sign a digest with ${algorithm}`,
    );
  }
  return {
    certificate,
    algorithm,
    sign: (alg, digest) => token.sign({ algorithm: alg, digest }),
  };
}

/** The token's decryption and key-agreement keys (one or both), for openPackage. */
export async function tokenRecipientKeys(token: TokenOperations): Promise<RecipientKey[]> {
  const { keys } = await token.capabilities();
  const out: RecipientKey[] = [];
  if (keys.decrypt !== null) {
    out.push({
      certificate: recipientCertificate(keys.decrypt.certificate),
      decrypt: (algorithm, data) => token.decrypt({ algorithm, data }),
    });
  }
  if (keys.derive !== null) {
    out.push({
      certificate: recipientCertificate(keys.derive.certificate),
      derive: (publicPoint) => token.deriveEcdh({ publicPoint }),
    });
  }
  if (out.length === 0) {
    throw new NiemError(
      'key-usage-mismatch',
      'the token has no key for decryption or key agreement: it cannot open packages',
    );
  }
  return out;
}

/**
 * The sender as a recipient of its own package: its decryption certificate (RSA, with
 * OAEP-SHA1 when its token proved unable to do OAEP-SHA256) or else its key-agreement
 * certificate (EC).
 */
export async function tokenSenderRecipient(token: TokenOperations): Promise<PackageRecipient> {
  const capabilities = await token.capabilities();
  const { decrypt, derive } = capabilities.keys;
  if (decrypt !== null && capabilities.decrypt.length > 0) {
    return {
      certificate: decrypt.certificate,
      oaepHash: capabilities.decrypt.includes('rsa-oaep-sha256') ? 'sha256' : 'sha1',
    };
  }
  if (derive !== null && capabilities.deriveEcdh) return { certificate: derive.certificate };
  throw new NiemError(
    'key-usage-mismatch',
    'the sender token has no key to receive its own package (decryption or key agreement)',
  );
}
