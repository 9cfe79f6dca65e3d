/**
 * The streaming SignedData writer (RFC 5652 §5): ContentInfo { id-signedData, SignedData }
 * in BER, the encapsulated content (id-data) a segmented indefinite-length OCTET STRING
 * passed through one segment at a time, the content hashed off-thread as it passes, and
 * the SignerInfos written at the end, once the digests are known. docs/package-format.md
 * section 6 is the specification.
 */
import {
  constants,
  createHash,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import {
  END_OF_CONTENTS,
  encodeOctetStringStream,
  implicit,
  indefiniteHeader,
  integer,
  octetString,
  oid,
  sequence,
  setOf,
  type ChunkSource,
} from '../ber/index.ts';
import { contentTypes } from '../cms-crypto/oids.ts';
import type { LevelCode } from '../levels.ts';
import { NiemError } from '../../api/errors.ts';
import type { SignAlgorithm } from '../../token/token-algorithms.ts';
import {
  digestOfSignAlgorithm,
  encodeDigestAlgorithm,
  encodeSignatureAlgorithm,
  type DigestName,
} from './algorithms.ts';
import { encodeSignedAttributes } from './attributes.ts';
import { parseCertificate, type ParsedCertificate } from './certificate.ts';
import { ContentDigester, type DigestMode } from './digester.ts';
import type { SignedDataParts } from './verify.ts';
import { MAX_CERTIFICATES, MAX_SIGNERS } from './limits.ts';

/** Default largest eContent segment: a file read's chunk passes through whole. */
const SEGMENT_BYTES = 1024 * 1024;

/**
 * Makes one signature. `digest` is the hash (of `algorithm`) of `signedAttributes`, the
 * DER the signature covers: a token signs the digest (TokenService.sign({ algorithm,
 * digest })), a software key may sign the bytes. Returns PKCS#1 v1.5 / PSS bytes, or a
 * DER ECDSA-Sig-Value.
 */
export type SignCallback = (
  algorithm: SignAlgorithm,
  digest: Uint8Array,
  signedAttributes: Uint8Array,
) => Promise<Uint8Array>;

export interface SignerSpec {
  /** The signer's certificate (DER). */
  readonly certificate: Uint8Array;
  /** Default: rsa-pkcs1-sha256 for RSA, ecdsa-sha256 for P-256, ecdsa-sha384 for P-384. */
  readonly algorithm?: SignAlgorithm;
  readonly sign: SignCallback;
}

export interface SignContentOptions {
  readonly content: ChunkSource;
  /** 1 to 16 signers, each an independent SignerInfo over the same content. */
  readonly signers: readonly SignerSpec[];
  readonly level: LevelCode;
  /** Default: now. Written with second precision. */
  readonly signingTime?: Date;
  /** Intermediate CA certificates (DER) to include besides the signers' own. */
  readonly certificates?: readonly Uint8Array[];
  /** Largest content segment (bytes per primitive OCTET STRING). Default 1 MiB. */
  readonly segmentSize?: number;
  /** Where content digests run; default 'auto' (worker thread beyond 1 MiB). */
  readonly digestMode?: DigestMode;
  /**
   * A SignedData over the same content, already verified, whose signers, certificates
   * and digest algorithms are kept: the new signers are added to them (a co-signature).
   * The content must digest to what it did then, else `tampered`.
   */
  readonly existing?: SignedDataParts;
}

/** The algorithm a certificate's key signs with when none is asked. */
export function defaultSignAlgorithm(cert: ParsedCertificate): SignAlgorithm {
  const key = cert.publicKey;
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss')
    return 'rsa-pkcs1-sha256';
  if (key.asymmetricKeyType === 'ec') {
    return key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'ecdsa-sha384' : 'ecdsa-sha256';
  }
  throw new NiemError(
    'key-usage-mismatch',
    `signer key type ${String(key.asymmetricKeyType)} cannot sign a package`,
  );
}

function checkAlgorithmFits(cert: ParsedCertificate, algorithm: SignAlgorithm): void {
  const type = cert.publicKey.asymmetricKeyType;
  const rsaKey = type === 'rsa' || type === 'rsa-pss';
  if (algorithm.startsWith('ecdsa') ? type !== 'ec' : !rsaKey) {
    throw new NiemError(
      'key-usage-mismatch',
      `${algorithm} does not fit the signer's ${String(type)} key`,
    );
  }
}

/** Node's sign/verify options for a token algorithm. */
function nodeKeyOptions(algorithm: SignAlgorithm): {
  padding?: number;
  saltLength?: number;
  dsaEncoding?: 'der';
} {
  if (algorithm.startsWith('rsa-pss')) {
    return {
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: algorithm.endsWith('384') ? 48 : 32,
    };
  }
  if (algorithm.startsWith('rsa')) return { padding: constants.RSA_PKCS1_PADDING };
  return { dsaEncoding: 'der' };
}

/** A SignerSpec over a Node private key (tests, software keys). */
export function softwareSigner(
  key: KeyObject,
  certificate: Uint8Array,
  algorithm?: SignAlgorithm,
): SignerSpec {
  const spec: SignerSpec = {
    certificate,
    sign: (alg, _digest, signedAttributes) =>
      Promise.resolve(
        new Uint8Array(
          nodeSign(digestOfSignAlgorithm(alg), signedAttributes, { key, ...nodeKeyOptions(alg) }),
        ),
      ),
  };
  return algorithm === undefined ? spec : { ...spec, algorithm };
}

interface PreparedSigner {
  readonly spec: SignerSpec;
  readonly cert: ParsedCertificate;
  readonly algorithm: SignAlgorithm;
  readonly digest: DigestName;
}

/**
 * Signs `content` as a streaming ContentInfo/SignedData (BER). The content passes through
 * once; memory stays at a few segments whatever its size. Every signer's signedAttrs
 * carry contentType id-data, signingTime, messageDigest, ESS signingCertificateV2 and the
 * ESS securityLabel of `level`. Each signature is checked against its certificate
 * before it is written (a wrong key or certificate is `key-usage-mismatch`).
 */
export async function* signContent(
  options: SignContentOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const { signers, existing } = options;
  const total = signers.length + (existing?.signerInfos.length ?? 0);
  if (signers.length === 0 || total > MAX_SIGNERS) {
    throw new NiemError('invalid-input', `SignedData: ${total} signers (1 to ${MAX_SIGNERS})`);
  }
  if (existing !== undefined && existing.eContentType !== contentTypes.data) {
    throw new NiemError('invalid-input', 'only a SignedData of id-data can be co-signed');
  }
  const prepared: PreparedSigner[] = signers.map((spec) => {
    const cert = parseCertificate(spec.certificate);
    const algorithm = spec.algorithm ?? defaultSignAlgorithm(cert);
    checkAlgorithmFits(cert, algorithm);
    return { spec, cert, algorithm, digest: digestOfSignAlgorithm(algorithm) };
  });
  const certs = uniqueBytes([
    ...(existing?.certificates ?? []),
    ...prepared.map((p) => p.cert.der),
    ...(options.certificates ?? []),
  ]);
  if (certs.length > MAX_CERTIFICATES) {
    throw new NiemError(
      'invalid-input',
      `SignedData: ${certs.length} certificates (at most ${MAX_CERTIFICATES})`,
    );
  }
  const digestNames = [
    ...new Set([...prepared.map((p) => p.digest), ...(existing?.digestAlgorithms ?? [])]),
  ].sort();
  const signingTime = new Date(
    Math.floor((options.signingTime ?? new Date()).getTime() / 1000) * 1000,
  );
  const digester = new ContentDigester(digestNames, options.digestMode ?? 'auto');
  try {
    yield indefiniteHeader('universal', 16); // ContentInfo
    yield oid(contentTypes.signedData);
    yield indefiniteHeader('context', 0);
    yield indefiniteHeader('universal', 16); // SignedData
    yield integer(1);
    yield setOf(...digestNames.map(encodeDigestAlgorithm));
    yield indefiniteHeader('universal', 16); // EncapsulatedContentInfo
    yield oid(contentTypes.data);
    yield indefiniteHeader('context', 0);
    yield* encodeOctetStringStream(hashing(options.content, digester), {
      segmentSize: options.segmentSize ?? SEGMENT_BYTES,
    });
    yield END_OF_CONTENTS; // [0] eContent
    yield END_OF_CONTENTS; // EncapsulatedContentInfo
    yield implicit(0, setOf(...certs));
    const values = await digester.digest();
    for (const [name, value] of existing?.digests ?? []) {
      const now = values.get(name);
      if (now !== undefined && !Buffer.from(now).equals(value)) {
        throw new NiemError('tampered', 'the signed content changed since it was verified');
      }
    }
    const infos: Uint8Array[] = [...(existing?.signerInfos ?? [])];
    for (const p of prepared) {
      infos.push(
        await signerInfo(p, values.get(p.digest) as Uint8Array, signingTime, options.level),
      );
    }
    yield setOf(...infos);
    yield END_OF_CONTENTS; // SignedData
    yield END_OF_CONTENTS; // [0]
    yield END_OF_CONTENTS; // ContentInfo
  } finally {
    await digester.close();
  }
}

async function* hashing(
  content: ChunkSource,
  digester: ContentDigester,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of content) {
    await digester.update(chunk);
    yield chunk;
  }
}

async function signerInfo(
  p: PreparedSigner,
  messageDigest: Uint8Array,
  signingTime: Date,
  level: LevelCode,
): Promise<Uint8Array> {
  const attrs = encodeSignedAttributes({ messageDigest, signingTime, certificate: p.cert, level });
  const digest = new Uint8Array(createHash(p.digest).update(attrs).digest());
  const signature = await p.spec.sign(p.algorithm, digest, attrs);
  const ok = nodeVerify(
    p.digest,
    attrs,
    { key: p.cert.publicKey, ...nodeKeyOptions(p.algorithm) },
    signature,
  );
  if (!ok) {
    throw new NiemError(
      'key-usage-mismatch',
      `SignedData: the ${p.algorithm} signature does not verify with the signer's certificate ${p.cert.serialHex}`,
    );
  }
  return sequence(
    integer(1),
    sequence(p.cert.issuerDer, integer(p.cert.serial)),
    encodeDigestAlgorithm(p.digest),
    implicit(0, attrs),
    encodeSignatureAlgorithm(p.algorithm),
    octetString(signature),
  );
}

function uniqueBytes(list: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const b of list) {
    const k = Buffer.from(b).toString('base64');
    if (!seen.has(k)) {
      seen.add(k);
      out.push(b);
    }
  }
  return out;
}
