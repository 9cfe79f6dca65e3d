/**
 * A clerk's signed-in session on one token and what it can do: the pairs chosen per use
 * at login (by CKA_ID, found again at each call), the mechanisms the token lists (read
 * once per login), the OAEP-SHA256 probe (run once per login, at first need), and the
 * operations. The token service owns one at a time and serialises calls to it.
 */
import { X509Certificate } from 'node:crypto';
import type { Handle, PKCS11 } from 'pkcs11js';
import type { TokenInfo } from '../api/contract.ts';
import { NiemError } from '../api/errors.ts';
import { describeKeyAlgorithm } from './certificate-identity.ts';
import { isSessionLost, toTokenError } from './ckr-errors.ts';
import { bestPairFor, noPairFor, type KeyUse, type PairCandidate } from './key-usage.ts';
import type { LoadedModule } from './pkcs11-module.ts';
import {
  computeCapabilities,
  keyFamilyOf,
  mechanismFlags,
  planSignature,
  tokenCan,
  usedMechanisms,
  type MechanismTable,
  type TokenCapabilities,
  type TokenKeyInfo,
} from './token-capabilities.ts';
import type { PrivateKeyEntry } from './token-objects.ts';
import {
  decryptOaep,
  decryptsTestBlock,
  deriveEcdhSecret,
  modulusBytes,
  probeOaepSha256,
  signWithPlan,
  type SessionContext,
  type UsePair,
} from './token-operations.ts';
import { curveOfEcParams, validateEcPoint, type EcCurve } from './token-public-key.ts';
import type { CheckedSign, DecryptRequest } from './token-requests.ts';

const nodeCurves: Record<string, EcCurve> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/** The pair for one use, with what the operations need to know about it. */
function toUsePair(candidate: PairCandidate<PrivateKeyEntry> | undefined): UsePair | undefined {
  if (candidate === undefined) return undefined;
  const certificate = new X509Certificate(candidate.certificate);
  const publicKey = certificate.publicKey;
  const family = candidate.use.keyType === 'ec' ? 'ec' : 'rsa';
  const fromKey =
    candidate.key.ecParams === undefined ? undefined : curveOfEcParams(candidate.key.ecParams);
  const namedCurve = publicKey.asymmetricKeyDetails?.namedCurve;
  const curve =
    family === 'ec' ? (fromKey ?? (namedCurve ? nodeCurves[namedCurve] : undefined)) : undefined;
  return {
    keyId: Buffer.from(candidate.key.keyId),
    certificate: candidate.certificate,
    publicKey,
    family,
    curve,
    keyAlgorithm: describeKeyAlgorithm(certificate),
  };
}

function keyInfo(pair: UsePair | undefined): TokenKeyInfo | null {
  if (pair === undefined) return null;
  return {
    keyId: pair.keyId.toString('hex'),
    keyAlgorithm: pair.keyAlgorithm,
    curve: pair.curve ?? null,
    certificate: new Uint8Array(pair.certificate),
  };
}

/** What a session is made from at login. */
export interface SessionStart {
  module: LoadedModule;
  slot: Handle;
  session: Handle;
  token: TokenInfo;
  /** CKA_ID of the identity's key. */
  keyId: Uint8Array;
  /** Every (key, certificate) pair on the token. */
  candidates: readonly PairCandidate<PrivateKeyEntry>[];
}

export class SignedInSession {
  readonly module: LoadedModule;
  readonly slot: Handle;
  readonly session: Handle;
  readonly token: TokenInfo;
  /** CKA_ID of the identity's key. */
  readonly keyId: Buffer;
  /** The pair chosen for each use at login. */
  readonly pairs: Readonly<Record<KeyUse, UsePair | undefined>>;
  #mechanisms: MechanismTable | undefined;
  #oaepSha256: boolean | undefined;

  constructor(start: SessionStart) {
    this.module = start.module;
    this.slot = start.slot;
    this.session = start.session;
    this.token = start.token;
    this.keyId = Buffer.from(start.keyId);
    this.pairs = {
      sign: toUsePair(bestPairFor(start.candidates, 'sign')),
      decrypt: toUsePair(bestPairFor(start.candidates, 'decrypt')),
      derive: toUsePair(bestPairFor(start.candidates, 'derive')),
    };
  }

  get #pkcs11(): PKCS11 {
    return this.module.pkcs11;
  }

  get #context(): SessionContext {
    return { pkcs11: this.#pkcs11, session: this.session };
  }

  /** The mechanisms this layer uses that the token lists, with their flags; read once. */
  mechanisms(): MechanismTable {
    if (this.#mechanisms) return this.#mechanisms;
    let listed: number[];
    try {
      listed = this.#pkcs11.C_GetMechanismList(this.slot);
    } catch (err) {
      throw toTokenError(err, 'C_GetMechanismList');
    }
    const table = new Map<number, number>();
    for (const mechanism of Object.values(usedMechanisms)) {
      if (!listed.includes(mechanism)) continue;
      try {
        table.set(mechanism, this.#pkcs11.C_GetMechanismInfo(this.slot, mechanism).flags);
      } catch (err) {
        if (isSessionLost(err)) throw toTokenError(err, 'C_GetMechanismInfo');
        table.set(mechanism, 0); // listed but not described: not relied on
      }
    }
    this.#mechanisms = table;
    return table;
  }

  #can(mechanism: number, flag: number): boolean {
    return tokenCan(this.mechanisms(), mechanism, flag);
  }

  /** Whether RSA-OAEP with SHA-256 really works on the token: probed once, at first need. */
  async oaepSha256(): Promise<boolean> {
    if (this.#oaepSha256 !== undefined) return this.#oaepSha256;
    const pair = this.pairs.decrypt;
    const listed = this.#can(usedMechanisms.CKM_RSA_PKCS_OAEP, mechanismFlags.CKF_DECRYPT);
    const result = pair !== undefined && listed && (await probeOaepSha256(this.#context, pair));
    this.#oaepSha256 = result;
    return result;
  }

  async capabilities(): Promise<TokenCapabilities> {
    const table = this.mechanisms();
    const oaepSha256 = await this.oaepSha256();
    return computeCapabilities({
      table,
      oaepSha256,
      keys: {
        sign: keyInfo(this.pairs.sign),
        decrypt: keyInfo(this.pairs.decrypt),
        derive: keyInfo(this.pairs.derive),
      },
    });
  }

  signingCertificate(): Buffer {
    const pair = this.pairs.sign;
    if (!pair) throw noPairFor('sign');
    return pair.certificate;
  }

  async sign({ algorithm, input }: CheckedSign): Promise<Buffer> {
    const pair = this.pairs.sign;
    if (!pair) throw noPairFor('sign');
    const family = keyFamilyOf(algorithm);
    if (family !== pair.family) {
      throw new NiemError(
        'mechanism-unsupported',
        `${algorithm} needs an ${family.toUpperCase()} key; the signing key is ${pair.keyAlgorithm}`,
      );
    }
    const isData = 'data' in input;
    const plan = planSignature(
      algorithm,
      this.mechanisms(),
      isData ? { dataLength: input.data.length } : { digest: true },
    );
    if (!plan) {
      throw new NiemError(
        'mechanism-unsupported',
        `the token lists no mechanism for ${algorithm}${isData ? '' : ' over a precomputed digest'}`,
      );
    }
    return signWithPlan(this.#context, pair, plan, input);
  }

  async decrypt({ algorithm, data }: DecryptRequest): Promise<Buffer> {
    const pair = this.pairs.decrypt;
    if (!pair) throw noPairFor('decrypt');
    if (!this.#can(usedMechanisms.CKM_RSA_PKCS_OAEP, mechanismFlags.CKF_DECRYPT)) {
      throw new NiemError(
        'mechanism-unsupported',
        'the token lists no CKM_RSA_PKCS_OAEP for decryption',
      );
    }
    const hash = algorithm === 'rsa-oaep-sha256' ? 'sha256' : 'sha1';
    if (hash === 'sha256' && !(await this.oaepSha256())) {
      throw new NiemError(
        'mechanism-unsupported',
        'the token lists CKM_RSA_PKCS_OAEP but refuses SHA-256 parameters (probed at first use); only rsa-oaep-sha1 works',
      );
    }
    if (data.length !== modulusBytes(pair)) {
      throw new NiemError(
        'decrypt-failed',
        `an RSA-OAEP ciphertext for this ${pair.keyAlgorithm} key is ${modulusBytes(pair)} bytes, got ${data.length}`,
      );
    }
    try {
      return await decryptOaep(this.#context, pair, hash, data);
    } catch (err) {
      // SoftHSM2 (and other tokens) answer a ciphertext that does not decode under this
      // key with CKR_GENERAL_ERROR, the same as a hardware fault. A block Node encrypts
      // now tells them apart: if the token decrypts it, the data was the problem.
      if (!(err instanceof NiemError) || err.kind !== 'device-error') throw err;
      if (!(await decryptsTestBlock(this.#context, pair, hash))) throw err;
      throw new NiemError(
        'decrypt-failed',
        `${err.message}; the token decrypts a test block, so the data is not for this key or is damaged`,
        { cause: err },
      );
    }
  }

  async deriveEcdh(publicPoint: Uint8Array): Promise<Buffer> {
    const pair = this.pairs.derive;
    if (!pair) throw noPairFor('derive');
    if (pair.curve === undefined) {
      throw new NiemError(
        'mechanism-unsupported',
        'the key agreement key is on an unsupported curve',
      );
    }
    if (!this.#can(usedMechanisms.CKM_ECDH1_DERIVE, mechanismFlags.CKF_DERIVE)) {
      throw new NiemError('mechanism-unsupported', 'the token lists no CKM_ECDH1_DERIVE');
    }
    validateEcPoint(publicPoint, pair.curve);
    return deriveEcdhSecret(this.#context, pair, Buffer.from(publicPoint));
  }
}
