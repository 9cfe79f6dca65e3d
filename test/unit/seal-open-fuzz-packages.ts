/**
 * The packages the whole-open fuzz test (./seal-open-fuzz.test.ts) mutates, and the
 * lower-layer builders it uses to seal hostile content with valid crypto: hand-made
 * ustar/pax bodies (any member name, any manifest bytes), signed by signContent and
 * encrypted by sealEnvelope for a software recipient. Not a test file itself.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SealRecipient } from '../../native/seal/cms-crypto/index.ts';
import { sealEnvelope } from '../../native/seal/envelope/index.ts';
import type { LevelCode } from '../../native/seal/levels.ts';
import { serializeManifest, type Manifest } from '../../native/seal/manifest.ts';
import { sealPackage } from '../../native/seal/pipeline/index.ts';
import { signContent, softwareSigner } from '../../native/seal/signed-data/index.ts';
import { encodeHeader, encodePaxRecords } from '../../native/seal/tar/header.ts';
import type { TestPki } from './seal-cms-crypto-pki.ts';
import type { SignedDataPki } from './seal-signed-data-pki.ts';

const enc = new TextEncoder();

/** A fixed mtime for hand-made headers (the body reader does not check it). */
const MTIME = 1_780_000_000;

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(Uint8Array.from(c));
  return new Uint8Array(Buffer.concat(parts));
}

/** A document of a package: its name and bytes. */
export interface Doc {
  readonly name: string;
  readonly data: Uint8Array;
}

/** A tar member as written by hand: raw name bytes allowed, optional pax records before it. */
export interface RawMember {
  readonly name: string | Uint8Array;
  readonly data: Uint8Array;
  readonly pax?: ReadonlyArray<readonly [string, string]>;
}

function pad(n: number): Uint8Array {
  return new Uint8Array((512 - (n % 512)) % 512);
}

/** A tar stream of `members` (ustar headers, pax 'x' headers where asked) and the end blocks. */
export function rawTar(members: readonly RawMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    if (m.pax !== undefined) {
      const records = encodePaxRecords(m.pax);
      parts.push(
        encodeHeader({
          name: enc.encode('PaxHeaders/x'),
          size: records.length,
          mtime: MTIME,
          typeflag: 'x',
        }),
        records,
        pad(records.length),
      );
    }
    const name = typeof m.name === 'string' ? enc.encode(m.name) : m.name;
    parts.push(
      encodeHeader({
        name: name.subarray(0, 100),
        size: m.data.length,
        mtime: MTIME,
        typeflag: '0',
      }),
      m.data,
      pad(m.data.length),
    );
  }
  parts.push(new Uint8Array(1024));
  return new Uint8Array(Buffer.concat(parts));
}

export function manifestFor(level: LevelCode, docs: readonly Doc[]): Manifest {
  return {
    formatVersion: 1,
    securityLevel: level,
    documents: docs.map((d) => ({
      name: d.name,
      size: d.data.length,
      sha256: sha256(d.data),
      mediaType: 'text/plain',
    })),
  } as Manifest;
}

/**
 * The canonical manifest of `docs`, with document names replaced by `listed` (any
 * string, also one serializeManifest would refuse) by editing the JSON text.
 */
export function manifestBytes(
  level: LevelCode,
  docs: readonly Doc[],
  listed?: string[],
): Uint8Array {
  const placeholders = docs.map((_, i) => `PLACEHOLDER-${i}.txt`);
  const json = Buffer.from(
    serializeManifest(
      manifestFor(
        level,
        docs.map((d, i) => ({ name: placeholders[i] ?? d.name, data: d.data })),
      ),
    ),
  ).toString('utf8');
  let out = json;
  docs.forEach((d, i) => {
    out = out.replace(JSON.stringify(placeholders[i]), JSON.stringify(listed?.[i] ?? d.name));
  });
  return enc.encode(out);
}

/** A Niêm body: manifest.json then the documents, each a hand-made member. */
export function niemBody(level: LevelCode, docs: readonly Doc[]): Uint8Array {
  return rawTar([{ name: 'manifest.json', data: manifestBytes(level, docs) }, ...docs]);
}

/** Everything a case needs to sign and encrypt content with valid keys. */
export interface Sealer {
  /**
   * ContentInfo(SignedData) over `content`, signed by the P-256 signer under the trusted
   * root, or by the stranger (a P-256 signer under an unrelated root).
   */
  sign(
    content: Uint8Array,
    level?: LevelCode,
    signer?: 'trusted' | 'stranger',
  ): Promise<Uint8Array>;
  /** AuthEnvelopedData around `inner` for `to`, with the outer `level`. */
  envelope(
    inner: Uint8Array,
    to: Recipient,
    level?: LevelCode,
    segmentBytes?: number,
  ): Promise<Uint8Array>;
}

export type Recipient = 'p256' | 'rsa' | 'both' | 'stranger';

export function makeSealer(sd: SignedDataPki, rc: TestPki): Sealer {
  const spec = (w: 'p256' | 'rsa' | 'stranger'): SealRecipient => {
    const certificate = rc[w].certificate;
    return certificate.keyType === 'rsa' ? { certificate, oaepHash: 'sha256' } : { certificate };
  };
  return {
    sign: (content, level = 'mat', signer = 'trusted') =>
      collect(
        signContent({
          content: [content],
          signers: [
            signer === 'trusted'
              ? softwareSigner(sd.p256.key, sd.p256.der)
              : softwareSigner(sd.stranger.key, sd.stranger.der),
          ],
          level,
          certificates: signer === 'trusted' ? sd.intermediates : [],
        }),
      ),
    // Small segments by default: several even in a tiny package.
    envelope: (inner, to, level = 'mat', segmentBytes = 256) =>
      collect(
        sealEnvelope({
          inner: (async function* () {
            yield inner;
          })(),
          recipients: to === 'both' ? [spec('p256'), spec('rsa')] : [spec(to)],
          level,
          segmentBytes,
        }),
      ),
  };
}

/** A valid package made by the real pipeline (sealPackage), from files in `work`. */
export async function pipelinePackage(
  sd: SignedDataPki,
  rc: TestPki,
  work: string,
  docs: readonly Doc[],
  to: ('p256' | 'rsa')[],
): Promise<Uint8Array> {
  const dir = path.join(work, `src-${to.join('-')}-${docs.length}`);
  mkdirSync(dir);
  const files = docs.map((d) => {
    const f = path.join(dir, d.name);
    writeFileSync(f, d.data);
    return f;
  });
  const out = path.join(dir, 'package.p7m');
  const [sender, ...others] = to;
  await sealPackage({
    files,
    level: 'mat',
    signers: [softwareSigner(sd.p256.key, sd.p256.der)],
    certificates: sd.intermediates,
    sender: { certificate: readFileSync(rc[sender ?? 'p256'].certPath, 'utf8') },
    recipients: others.map((w) => ({ certificate: readFileSync(rc[w].certPath, 'utf8') })),
    out,
  });
  const bytes = new Uint8Array(readFileSync(out));
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}
