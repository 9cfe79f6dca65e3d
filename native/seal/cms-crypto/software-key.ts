/**
 * A RecipientKey backed by a private key held in Node (a KeyObject): for tests, tools and
 * any recipient whose key is not on a token. Behaves like the token: a ciphertext or a
 * point the key refuses is `decrypt-failed`.
 */
import { constants, diffieHellman, privateDecrypt, type KeyObject } from 'node:crypto';
import { NiemError } from '../../api/errors.ts';
import { pointPublicKey } from './key-derivation.ts';
import type { RecipientCertificate } from './recipient-certificate.ts';
import type { RecipientKey } from './recipient-key.ts';

function refused(err: unknown): NiemError {
  return new NiemError('decrypt-failed', 'the key could not decrypt the data', { cause: err });
}

/** The RecipientKey of `certificate` whose private key is `privateKey`. */
export function softwareRecipientKey(
  privateKey: KeyObject,
  certificate: RecipientCertificate,
): RecipientKey {
  if (certificate.keyType === 'rsa') {
    return {
      certificate,
      decrypt: async (algorithm, encryptedKey) => {
        try {
          return privateDecrypt(
            {
              key: privateKey,
              padding: constants.RSA_PKCS1_OAEP_PADDING,
              oaepHash: algorithm === 'rsa-oaep-sha256' ? 'sha256' : 'sha1',
            },
            encryptedKey,
          );
        } catch (err) {
          throw refused(err);
        }
      },
    };
  }
  const curve = certificate.curve;
  if (curve === undefined) throw new RangeError('an EC certificate without a supported curve');
  return {
    certificate,
    derive: async (point) => {
      try {
        return diffieHellman({ privateKey, publicKey: pointPublicKey(point, curve) });
      } catch (err) {
        throw refused(err);
      }
    },
  };
}
