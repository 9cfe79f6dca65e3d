/**
 * RecipientInfos: writing them for a package's recipients, reading them (KTRI and KARI
 * Niêm can open; every other kind recognised and set aside, so a package with at least
 * one usable recipient still opens), and recovering the content key with our keys.
 */
import { NiemError } from '../../api/errors.ts';
import { cmsError, tamperedError } from './cms-errors.ts';
import { hasTag, type AsnNode } from '../ber/index.ts';
import { childrenOf, decodeCms, derSetOf, expectUniversal } from './asn.ts';
import {
  encodeKeyAgreeRecipientInfo,
  readKeyAgreeRecipientInfo,
  unwrapKeyAgree,
  type KeyAgreeRecipient,
} from './kari.ts';
import {
  encodeKeyTransRecipientInfo,
  readKeyTransRecipientInfo,
  unwrapKeyTrans,
  type KeyTransRecipient,
  type OaepHash,
} from './ktri.ts';
import type { RecipientCertificate } from './recipient-certificate.ts';
import { recipientIdMatches, type RecipientId, type RecipientIdKind } from './recipient-id.ts';
import type { RecipientKey } from './recipient-key.ts';

/** Most RecipientInfo entries read from one package (a guard against hostile input). */
export const MAX_RECIPIENTS = 1000;

/** A recipient of a package being sealed. */
export interface SealRecipient {
  certificate: RecipientCertificate;
  /** RSA only: 'sha1' for a recipient whose token lacks OAEP with SHA-256. */
  oaepHash?: OaepHash;
  identifyBy?: RecipientIdKind;
}

/** One recipient entry as read: openable by Niêm, or not (with what it is). */
export type ParsedRecipient =
  | KeyTransRecipient
  | KeyAgreeRecipient
  | { type: 'unsupported'; rid: RecipientId | undefined; description: string };

/**
 * The RecipientInfo of one recipient: KTRI (RSA-OAEP) for an RSA certificate, KARI
 * (ECDH) for an EC one. `contentKey` is the 32-byte AES-256-GCM key.
 */
export function encodeRecipientInfo(recipient: SealRecipient, contentKey: Uint8Array): Buffer {
  const { certificate, oaepHash, identifyBy } = recipient;
  if (certificate.keyType === 'rsa') {
    return encodeKeyTransRecipientInfo(certificate, contentKey, { oaepHash, identifyBy });
  }
  return encodeKeyAgreeRecipientInfo(certificate, contentKey, { identifyBy });
}

/** RecipientInfos ::= SET SIZE (1..MAX) OF RecipientInfo, in DER order. */
export function encodeRecipientInfos(recipients: SealRecipient[], contentKey: Uint8Array): Buffer {
  if (recipients.length === 0) throw new RangeError('a package needs at least one recipient');
  return derSetOf(recipients.map((r) => encodeRecipientInfo(r, contentKey)));
}

/** Other RecipientInfo choices by context tag number (all constructed). */
const otherKinds: Record<number, string> = {
  2: 'KEKRecipientInfo (a shared symmetric key)',
  3: 'PasswordRecipientInfo',
  4: 'OtherRecipientInfo',
};

/** Reads one RecipientInfo into its entries (a KARI may carry several recipients). */
export function readRecipientInfo(node: AsnNode): ParsedRecipient[] {
  if (hasTag(node, 'universal', 16) && node.constructed) return [readKeyTransRecipientInfo(node)];
  const contextNumber = node.tagClass === 'context' && node.constructed ? node.tagNumber : -1;
  if (contextNumber === 1) return readKeyAgreeRecipientInfo(node);
  const description = otherKinds[contextNumber];
  if (description === undefined) {
    const id = node.raw[0] ?? 0;
    throw cmsError('malformed', `RecipientInfo: unknown choice 0x${id.toString(16)}`);
  }
  return [{ type: 'unsupported', rid: undefined, description }];
}

/**
 * Reads RecipientInfos: the encoded SET (as bytes, BER allowed) or its decoded node.
 * Structural errors are `malformed`; an empty set or too many entries too.
 */
export function readRecipientInfos(input: Uint8Array | AsnNode): ParsedRecipient[] {
  const node = input instanceof Uint8Array ? decodeCms(input) : input;
  const set = childrenOf(expectUniversal(node, 17, 'RecipientInfos'), 'RecipientInfos');
  if (set.length === 0) throw cmsError('malformed', 'RecipientInfos is empty');
  const out: ParsedRecipient[] = [];
  for (const info of set) {
    out.push(...readRecipientInfo(info));
    if (out.length > MAX_RECIPIENTS) {
      throw cmsError('malformed', `more than ${MAX_RECIPIENTS} recipients`);
    }
  }
  return out;
}

/** The content key and which of our certificates opened it. */
export interface OpenedKey {
  contentKey: Buffer;
  certificate: RecipientCertificate;
  recipient: KeyTransRecipient | KeyAgreeRecipient;
}

/**
 * Recovers the content key with one of `keys`. Entries addressed to none of our
 * certificates are skipped; none at all is `not-a-recipient`. An entry addressed to us
 * with an algorithm Niêm does not accept (and no other usable one) is `malformed`.
 * Entries addressed to us are tried in order: the first that unwraps wins; if all
 * fail the package is `tampered`. Errors of the key's owner other than a refused
 * decryption (token removed, PIN…) stop the search and pass through.
 * `contentKeyBytes`: the key length of the content cipher (32 for AES-256-GCM).
 */
export async function openContentKey(
  recipients: ParsedRecipient[],
  keys: RecipientKey[],
  contentKeyBytes: number,
): Promise<OpenedKey> {
  let addressed = 0;
  let lastFailure: unknown;
  const unsupportedForUs: string[] = [];
  for (const recipient of recipients) {
    for (const key of keys) {
      const { certificate } = key;
      if (recipient.rid === undefined || !recipientIdMatches(recipient.rid, certificate)) continue;
      if (recipient.type === 'unsupported') {
        unsupportedForUs.push(recipient.description);
        continue;
      }
      addressed++;
      try {
        if (recipient.type === 'ktri') {
          if (certificate.keyType !== 'rsa') throw tamperedError(); // a KTRI naming an EC key
          if (key.decrypt === undefined) throw new Error('the RSA RecipientKey has no decrypt');
          const contentKey = await unwrapKeyTrans(
            recipient,
            certificate,
            key.decrypt,
            contentKeyBytes,
          );
          return { contentKey, certificate, recipient };
        }
        if (certificate.keyType !== 'ec') throw tamperedError(); // a KARI naming an RSA key
        if (key.derive === undefined) throw new Error('the EC RecipientKey has no derive');
        const contentKey = await unwrapKeyAgree(
          recipient,
          certificate,
          key.derive,
          contentKeyBytes,
        );
        return { contentKey, certificate, recipient };
      } catch (err) {
        if (!(err instanceof NiemError && err.kind === 'tampered')) throw err;
        lastFailure = err;
      }
    }
  }
  if (addressed > 0) throw lastFailure instanceof Error ? lastFailure : tamperedError();
  if (unsupportedForUs.length > 0) {
    throw cmsError(
      'malformed',
      `the package is addressed to us only with algorithms Niêm does not accept: ${unsupportedForUs.join(', ')}`,
    );
  }
  throw cmsError('not-a-recipient', 'no RecipientInfo names a certificate of ours');
}
