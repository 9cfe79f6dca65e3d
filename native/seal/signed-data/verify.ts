/**
 * The streaming SignedData reader and verifier (RFC 5652 §5.6). It reads a
 * ContentInfo/SignedData in any BER (definite or indefinite lengths, segmented or
 * primitive eContent), hands the encapsulated content to `onContent` as it streams while
 * a worker thread hashes the same bytes, then checks every SignerInfo and returns a
 * VerificationReport.
 *
 * **Contract: content is not trusted before the verdict.** `onContent` sees the bytes
 * before any signature is checked. It MUST write them to a temporary target (a
 * `<name>.partial` file) and the caller MUST commit it (rename) only when
 * `report.verdict === 'valid'` (`assertVerified` throws otherwise), and remove it on any
 * other verdict or error. The chunks are views into the input; copy what you keep.
 */
import { createHash, verify as nodeVerify } from 'node:crypto';
import {
  BerReader,
  expectSequence,
  expectSetOf,
  hasTag,
  readOctets,
  readOid,
  readSmallInteger,
  type AsnNode,
  type BerHeader,
  type ByteInput,
} from '../ber/index.ts';
import { contentTypes } from '../cms-crypto/oids.ts';
import type { LevelCode } from '../levels.ts';
import { NiemError } from '../../api/errors.ts';
import {
  readDigestAlgorithm,
  readSignatureAlgorithm,
  unsupported,
  type DigestName,
} from './algorithms.ts';
import { readSignedAttributes, type SignedAttributes } from './attributes.ts';
import { bytesEqual, parseCertificate, type ParsedCertificate } from './certificate.ts';
import { checkChain, type ChainResult } from './chain.ts';
import { ContentDigester, type DigestMode } from './digester.ts';
import {
  MAX_CERTIFICATE_BYTES,
  MAX_CERTIFICATES,
  MAX_CERTIFICATES_FIELD_BYTES,
  MAX_SIGNER_INFOS_BYTES,
  MAX_SIGNERS,
} from './limits.ts';

/** A signing time further than this in the future of `now` is not accepted. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface VerifyOptions {
  /** Trust anchors (DER): the root CA certificates the signers must chain to. */
  readonly trustAnchors: readonly Uint8Array[];
  /** The current time (tests); used when a signer states no signing time. */
  readonly now?: Date;
  /** Consumes the content as it streams; see the contract above. Must not keep the views. */
  readonly onContent: (chunks: AsyncIterable<Uint8Array>) => Promise<void>;
  readonly digestMode?: DigestMode;
  /** Receives the raw parts once the whole SignedData was read (before the report). */
  readonly onParts?: (parts: SignedDataParts) => void;
}

export type Verdict = 'valid' | 'tampered' | 'untrusted';

/**
 * The parts of a SignedData a co-signer needs to write it again with one more SignerInfo
 * (signContent's `existing`): raw DER, as read.
 */
export interface SignedDataParts {
  readonly eContentType: string;
  /** The digestAlgorithms the SignedData listed (those Niêm knows). */
  readonly digestAlgorithms: readonly DigestName[];
  /** Every certificate of the certificates field, DER. */
  readonly certificates: readonly Uint8Array[];
  /** Every SignerInfo, DER, in the order read. */
  readonly signerInfos: readonly Uint8Array[];
  /** The content's digests as computed while reading (sha256 always among them). */
  readonly digests: ReadonlyMap<DigestName, Uint8Array>;
}

export interface SignerReport {
  readonly commonName: string | undefined;
  readonly organization: string | undefined;
  readonly organizationIdentifier: string | undefined;
  /** Certificate serial (uppercase hex); undefined when the certificate was not found. */
  readonly serialNumber: string | undefined;
  /** As stated by the signer (no timestamp token in format version 1). */
  readonly signingTime: Date | undefined;
  readonly digestAlgorithm: DigestName;
  readonly signatureAlgorithm: string;
  readonly contentType: 'valid' | 'invalid';
  readonly messageDigest: 'valid' | 'invalid';
  readonly signature: 'valid' | 'invalid';
  /** ESS signingCertificateV2 (or v1) certHash against the certificate used. */
  readonly signingCertificate: 'valid' | 'mismatch' | 'absent';
  readonly chain: ChainResult;
  readonly revocation: 'not-checked';
  /** The level of the signed ESS label under Niêm's policy; undefined when none. */
  readonly level: LevelCode | undefined;
  readonly verdict: Verdict;
  readonly problems: readonly string[];
}

export interface VerificationReport {
  readonly contentType: string;
  readonly contentLength: number;
  readonly signers: readonly SignerReport[];
  /** The level every signer's label states, when they all state the same one. */
  readonly level: LevelCode | undefined;
  readonly levelsAgree: boolean;
  readonly revocation: 'not-checked';
  /** tampered: a digest, signature or certificate binding failed; untrusted: the chain. */
  readonly verdict: Verdict;
}

/** Throws unless the report's verdict is valid: `tampered` or `untrusted-signer`. */
export function assertVerified(report: VerificationReport): void {
  if (report.verdict === 'valid') return;
  const problems = report.signers.flatMap((s) => s.problems).join('; ');
  throw new NiemError(
    report.verdict === 'tampered' ? 'tampered' : 'untrusted-signer',
    `SignedData: ${problems}`,
  );
}

function malformed(message: string, offset?: number): NiemError {
  return new NiemError(
    'malformed',
    `SignedData: ${message}${offset === undefined ? '' : ` (at byte offset ${offset})`}`,
  );
}

async function expectNext(reader: BerReader, what: string): Promise<BerHeader> {
  const h = await reader.next();
  if (h === null) throw malformed(`${what} missing`, reader.offset);
  return h;
}

function isTag(
  h: BerHeader,
  cls: BerHeader['tagClass'],
  n: number,
  constructed?: boolean,
): boolean {
  return (
    h.tagClass === cls &&
    h.tagNumber === n &&
    (constructed === undefined || h.constructed === constructed)
  );
}

async function expectEnd(reader: BerReader, what: string): Promise<void> {
  const h = await reader.next();
  if (h !== null) throw malformed(`unexpected element after ${what}`, h.offset);
}

interface RawSignerInfo {
  readonly sid: { issuerDer: Uint8Array; serial: Uint8Array } | { ski: Uint8Array };
  readonly digest: DigestName;
  readonly signedAttrs: AsnNode;
  readonly signatureAlgorithm: AsnNode;
  readonly signature: Uint8Array;
}

/** Verifies a streamed ContentInfo/SignedData; see the module comment for the contract. */
export async function verifySignedData(
  source: ByteInput,
  options: VerifyOptions,
): Promise<VerificationReport> {
  const now = options.now ?? new Date();
  const anchors = options.trustAnchors.map((a) => parseCertificate(a));
  const reader = new BerReader(source, { maxWhole: MAX_CERTIFICATES_FIELD_BYTES });
  let digester: ContentDigester | undefined;
  try {
    const ci = await expectNext(reader, 'ContentInfo');
    if (!isTag(ci, 'universal', 16, true)) throw malformed('not a ContentInfo SEQUENCE', ci.offset);
    reader.enter(ci);
    const type = readOid(await reader.readNode(await expectNext(reader, 'contentType'), 1024));
    if (type !== contentTypes.signedData)
      throw malformed(`content type ${type} is not id-signedData`);
    const explicit0 = await expectNext(reader, 'content [0]');
    if (!isTag(explicit0, 'context', 0, true))
      throw malformed('content is not [0] EXPLICIT', explicit0.offset);
    reader.enter(explicit0);
    const sd = await expectNext(reader, 'SignedData');
    if (!isTag(sd, 'universal', 16, true))
      throw malformed('SignedData is not a SEQUENCE', sd.offset);
    reader.enter(sd);
    readSmallInteger(await reader.readNode(await expectNext(reader, 'version'), 64), 1, 5);
    const algs = expectSetOf(
      await reader.readNode(await expectNext(reader, 'digestAlgorithms'), 64 * 1024),
      {
        what: 'digestAlgorithms',
      },
    );
    if (algs.length > 16) throw malformed('more than 16 digestAlgorithms');
    const listed = new Set<DigestName>(['sha256']);
    const declared: DigestName[] = [];
    for (const a of algs) {
      const name = readDigestAlgorithm(a);
      if (name !== undefined) {
        listed.add(name);
        declared.push(name);
      }
    }
    digester = new ContentDigester([...listed].sort(), options.digestMode ?? 'auto');

    // encapContentInfo: the content streams to onContent and to the digester.
    const encap = await expectNext(reader, 'encapContentInfo');
    if (!isTag(encap, 'universal', 16, true))
      throw malformed('encapContentInfo is not a SEQUENCE', encap.offset);
    reader.enter(encap);
    const eContentType = readOid(
      await reader.readNode(await expectNext(reader, 'eContentType'), 1024),
    );
    const wrap = await reader.next();
    if (wrap === null)
      throw unsupported(
        'detached signature (no encapsulated content): Niêm needs the content inside',
      );
    if (!isTag(wrap, 'context', 0, true))
      throw malformed('eContent is not [0] EXPLICIT', wrap.offset);
    reader.enter(wrap);
    const octets = await expectNext(reader, 'eContent OCTET STRING');
    if (!isTag(octets, 'universal', 4))
      throw malformed('eContent is not an OCTET STRING', octets.offset);
    await streamContent(reader, octets, digester, options.onContent);
    await expectEnd(reader, 'eContent');
    await expectEnd(reader, 'encapContentInfo');

    let certNodes: readonly AsnNode[] = [];
    let infoNodes: readonly AsnNode[] | undefined;
    for (let h = await reader.next(); h !== null; h = await reader.next()) {
      if (infoNodes !== undefined) throw malformed('element after signerInfos', h.offset);
      if (isTag(h, 'context', 0, true) && certNodes.length === 0) {
        const node = await reader.readNode(h, MAX_CERTIFICATES_FIELD_BYTES);
        certNodes = (node as AsnNode & { children: AsnNode[] }).children;
        if (certNodes.length > MAX_CERTIFICATES)
          throw malformed(`more than ${MAX_CERTIFICATES} certificates`);
      } else if (isTag(h, 'context', 1)) {
        await reader.skip(h);
      } else if (isTag(h, 'universal', 17, true)) {
        const node = await reader.readNode(h, MAX_SIGNER_INFOS_BYTES);
        infoNodes = expectSetOf(node, { what: 'signerInfos' });
        if (infoNodes.length > MAX_SIGNERS) throw malformed(`more than ${MAX_SIGNERS} signers`);
      } else {
        throw malformed('unexpected element in SignedData', h.offset);
      }
    }
    if (infoNodes === undefined) throw malformed('no signerInfos');
    if (infoNodes.length === 0) throw malformed('no signer');
    await expectEnd(reader, 'SignedData [0]');
    await expectEnd(reader, 'ContentInfo');
    await reader.finish();

    const certs: ParsedCertificate[] = [];
    for (const c of certNodes) {
      // Other CertificateChoices (attribute certificates, [0]–[3]) are skipped.
      if (!hasTag(c, 'universal', 16)) continue;
      if (c.raw.length > MAX_CERTIFICATE_BYTES) throw malformed('certificate larger than 64 KiB');
      certs.push(parseCertificate(c.raw.slice()));
    }
    const infos = infoNodes.map(readSignerInfo);
    const contentLength = digester.length;
    const digests = await digester.digest();
    options.onParts?.({
      eContentType,
      digestAlgorithms: [...new Set(declared)],
      certificates: certNodes.filter((c) => hasTag(c, 'universal', 16)).map((c) => c.raw.slice()),
      signerInfos: infoNodes.map((n) => n.raw.slice()),
      digests,
    });
    const signers = infos.map((info) =>
      checkSigner(info, eContentType, digests, certs, anchors, now),
    );
    const levels = new Set(signers.map((s) => s.level));
    const levelsAgree = levels.size === 1;
    const verdict: Verdict = signers.some((s) => s.verdict === 'tampered')
      ? 'tampered'
      : signers.some((s) => s.verdict === 'untrusted')
        ? 'untrusted'
        : 'valid';
    return {
      contentType: eContentType,
      contentLength,
      signers,
      level: levelsAgree ? signers[0]?.level : undefined,
      levelsAgree,
      revocation: 'not-checked',
      verdict,
    };
  } finally {
    await digester?.close();
    await reader.close();
  }
}

/** Streams the eContent to onContent and the digester at once; drains what onContent leaves. */
async function streamContent(
  reader: BerReader,
  h: BerHeader,
  digester: ContentDigester,
  onContent: VerifyOptions['onContent'],
): Promise<void> {
  const inner = (async function* () {
    for await (const chunk of reader.contents(h)) {
      await digester.update(chunk);
      yield chunk;
    }
  })();
  let done = false;
  const view: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const r = await inner.next();
        if (r.done === true) done = true;
        return r;
      },
      // Leaving the loop early does not stop the hashing: the rest is drained below.
      return: () => Promise.resolve({ done: true, value: undefined }),
    }),
  };
  await onContent(view);
  while (!done) {
    const r = await inner.next();
    if (r.done === true) done = true;
  }
}

function readSignerInfo(node: AsnNode): RawSignerInfo {
  const fields = expectSequence(node, { min: 5, max: 7, what: 'SignerInfo' });
  const [versionNode, sidNode, digestNode, attrs, ...rest] = fields as [
    AsnNode,
    AsnNode,
    AsnNode,
    AsnNode,
    ...AsnNode[],
  ];
  const version = readSmallInteger(versionNode, 1, 3);
  let sid: RawSignerInfo['sid'];
  if (hasTag(sidNode, 'context', 0)) {
    if (version !== 3) throw malformed('SignerInfo with subjectKeyIdentifier must be version 3');
    sid = { ski: readOctets(sidNode, { implicit: 0 }) };
  } else {
    const [issuer, serial] = expectSequence(sidNode, {
      min: 2,
      max: 2,
      what: 'IssuerAndSerialNumber',
    });
    if (!hasTag(serial as AsnNode, 'universal', 2) || serial?.constructed !== false) {
      throw malformed('IssuerAndSerialNumber without an INTEGER serial');
    }
    sid = { issuerDer: (issuer as AsnNode).raw, serial: serial.value };
  }
  const digest = readDigestAlgorithm(digestNode);
  if (digest === undefined)
    throw unsupported('SignerInfo digest algorithm other than SHA-256/384/512');
  if (!hasTag(attrs, 'context', 0)) {
    throw unsupported(
      'SignerInfo without signed attributes (Niêm requires contentType, messageDigest and the label to be signed)',
    );
  }
  const [sigAlg, sig, unsigned] = rest;
  if (sigAlg === undefined || sig === undefined) throw malformed('SignerInfo too short');
  if (unsigned !== undefined && !hasTag(unsigned, 'context', 1))
    throw malformed('SignerInfo: unexpected trailing field');
  return {
    sid,
    digest,
    signedAttrs: attrs,
    signatureAlgorithm: sigAlg,
    signature: readOctets(sig),
  };
}

function findCertificate(
  sid: RawSignerInfo['sid'],
  pool: readonly ParsedCertificate[],
): ParsedCertificate | undefined {
  return pool.find((c) =>
    'ski' in sid
      ? c.subjectKeyId !== undefined && bytesEqual(c.subjectKeyId, sid.ski)
      : bytesEqual(c.issuerDer, sid.issuerDer) &&
        bytesEqual(stripZero(c.serial), stripZero(sid.serial)),
  );
}

function stripZero(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function checkSigner(
  info: RawSignerInfo,
  eContentType: string,
  digests: ReadonlyMap<DigestName, Uint8Array>,
  certs: readonly ParsedCertificate[],
  anchors: readonly ParsedCertificate[],
  now: Date,
): SignerReport {
  const problems: string[] = [];
  const tampered: string[] = [];
  const { attrs, signedBytes } = readSignedAttributes(info.signedAttrs);
  const plan = readSignatureAlgorithm(info.signatureAlgorithm, info.digest);
  if (plan.hash !== info.digest && !plan.name.startsWith('RSASSA-PSS')) {
    throw unsupported(`signature algorithm ${plan.name} with digest algorithm ${info.digest}`);
  }
  const contentTypeOk = attrs.contentType === eContentType;
  if (!contentTypeOk) tampered.push('the signed contentType differs from the eContentType');
  const computed = digests.get(info.digest);
  const digestOk = computed !== undefined && bytesEqual(computed, attrs.messageDigest);
  if (!digestOk) {
    tampered.push(
      computed === undefined
        ? `digest ${info.digest} not listed in digestAlgorithms`
        : 'messageDigest does not match the content',
    );
  }
  const cert = findCertificate(info.sid, [...certs, ...anchors]);
  let signatureOk = false;
  let essStatus: SignerReport['signingCertificate'] = 'absent';
  let chain: ChainResult;
  const at = attrs.signingTime ?? now;
  if (cert === undefined) {
    problems.push('the signer certificate is not in the package');
    chain = {
      status: 'untrusted',
      problem: 'no-path',
      reason: 'signer certificate not found',
      path: [],
    };
  } else {
    signatureOk = verifySignature(cert, plan, signedBytes, info.signature);
    if (!signatureOk)
      tampered.push(
        `the signature of ${cert.subject.commonName ?? cert.serialHex} does not verify`,
      );
    essStatus = checkEssCertId(attrs, cert);
    if (essStatus === 'mismatch')
      tampered.push('signingCertificate does not name the certificate used');
    chain = checkChain(cert, certs, anchors, at);
    if (chain.status !== 'valid') problems.push(chain.reason ?? 'untrusted chain');
  }
  if (
    attrs.signingTime !== undefined &&
    attrs.signingTime.getTime() > now.getTime() + CLOCK_SKEW_MS
  ) {
    problems.push(`signing time ${attrs.signingTime.toISOString()} is in the future`);
  }
  const verdict: Verdict =
    tampered.length > 0 ? 'tampered' : problems.length > 0 ? 'untrusted' : 'valid';
  return {
    commonName: cert?.subject.commonName,
    organization: cert?.subject.organization,
    organizationIdentifier: cert?.subject.organizationIdentifier,
    serialNumber: cert?.serialHex,
    signingTime: attrs.signingTime,
    digestAlgorithm: info.digest,
    signatureAlgorithm: plan.name,
    contentType: contentTypeOk ? 'valid' : 'invalid',
    messageDigest: digestOk ? 'valid' : 'invalid',
    signature: signatureOk ? 'valid' : 'invalid',
    signingCertificate: essStatus,
    chain,
    revocation: 'not-checked',
    level: attrs.label?.level,
    verdict,
    problems: [...tampered, ...problems],
  };
}

/**
 * Whether `signature` by `cert` over `data` verifies under `plan` (readSignatureAlgorithm):
 * RSA PKCS#1 v1.5 or PSS, ECDSA with a DER signature. A key of the wrong family, or any
 * error of Node's verify, is `false`: never throws.
 */
export function verifySignature(
  cert: ParsedCertificate,
  plan: ReturnType<typeof readSignatureAlgorithm>,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const type = cert.publicKey.asymmetricKeyType;
  if (plan.family === 'ec' ? type !== 'ec' : type !== 'rsa' && type !== 'rsa-pss') return false;
  try {
    return nodeVerify(
      plan.hash,
      data,
      plan.family === 'ec'
        ? { key: cert.publicKey, dsaEncoding: 'der' }
        : { key: cert.publicKey, padding: plan.padding, saltLength: plan.saltLength },
      signature,
    );
  } catch {
    return false;
  }
}

function checkEssCertId(
  attrs: SignedAttributes,
  cert: ParsedCertificate,
): SignerReport['signingCertificate'] {
  const id = attrs.essCertId;
  if (id === undefined) return 'absent';
  const hash = createHash(id.hash).update(cert.der).digest();
  if (!bytesEqual(hash, id.certHash)) return 'mismatch';
  const is = id.issuerSerial;
  if (is !== undefined) {
    if (is.issuerDer !== undefined && !bytesEqual(is.issuerDer, cert.issuerDer)) return 'mismatch';
    if (is.serial !== BigInt(`0x${cert.serialHex || '0'}`)) return 'mismatch';
  }
  return 'valid';
}
