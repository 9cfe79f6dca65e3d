/**
 * Fixtures for the arrival tests (not a test file): a throwaway signing PKI made with the
 * openssl CLI (a root, an issuing CA, the clerks of two agencies whose certificates carry
 * their OrganId in organizationIdentifier, a signer under an unrelated root), the vault
 * fixture's encryption keys (the receiving clerk's RSA token key, another agency's EC key),
 * packages sealed in memory, and a PlatformApi over a Map of packages with the faults the
 * tests need (a connection dropped or a run stopped after N bytes, wrong bytes, notices
 * refused or unreachable), recording what it was asked.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NiemError } from '../../native/api/errors.ts';
import type { PackageEntry, ReceiveOptions } from '../../native/sync/inbox-arrival.ts';
import type { PlatformApi } from '../../native/sync/platform-api.ts';
import type { LevelCode } from '../../native/seal/levels.ts';
import type { Manifest } from '../../native/seal/manifest.ts';
import { sealPackageStream } from '../../native/seal/pipeline/index.ts';
import { softwareSigner, type SignerSpec } from '../../native/seal/signed-data/index.ts';
import { makeVaultPki, type VaultPki } from './vault-fixture.ts';

export const SENDER_ORG = '000.00.00.G01';
export const RECEIVER_ORG = '000.00.00.G02';
export const OTHER_ORG = '000.00.00.G03';

/** A signing party: its certificate (DER) and a software SignerSpec. */
export interface SigningParty {
  der: Uint8Array;
  signer: SignerSpec;
}

export interface ArrivalPki {
  /** Encryption keys: `clerk` (RSA) receives, `newClerk` (EC) is another agency, `recovery` the sender's own. */
  keys: VaultPki;
  root: Uint8Array;
  issuing: Uint8Array;
  /** The sending agency's clerk (G01). */
  sender: SigningParty;
  /** The receiving agency's clerk (G02): signs the notices. */
  receiver: SigningParty;
  /** A clerk of G01 under an unrelated root. */
  stranger: SigningParty;
  /** The platform's TLS certificate and key (PEM, for 127.0.0.1) and receipt signer. */
  platform: { tls: { cert: string; key: string }; receipt: SigningParty };
  dispose: () => void;
}

const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
};

const CA_EXT =
  'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';
const SIGNER_EXT =
  'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
const P256 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];

function selfSigned(dir: string, name: string, subject: string): void {
  writeFileSync(join(dir, `${name}.cnf`), `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${CA_EXT}`);
  openssl(['genpkey', ...P256, '-out', join(dir, `${name}.key`)]);
  // prettier-ignore
  openssl(['req', '-new', '-x509', '-utf8', '-key', join(dir, `${name}.key`), '-subj', subject,
    '-days', '30', '-config', join(dir, `${name}.cnf`), '-extensions', 'v3', '-out', join(dir, `${name}.pem`)]);
}

function issue(dir: string, name: string, subject: string, issuer: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['genpkey', ...P256, '-out', join(dir, `${name}.key`)]);
  // prettier-ignore
  openssl(['req', '-new', '-utf8', '-key', join(dir, `${name}.key`), '-subj', subject, '-out', join(dir, `${name}.csr`)]);
  // prettier-ignore
  openssl(['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, `${issuer}.pem`),
    '-CAkey', join(dir, `${issuer}.key`), '-CAcreateserial', '-days', '20', '-extfile', join(dir, `${name}.ext`),
    '-out', join(dir, `${name}.pem`)]);
}

const derOf = (dir: string, name: string): Uint8Array =>
  new Uint8Array(new X509Certificate(readFileSync(join(dir, `${name}.pem`))).raw);

function signing(dir: string, name: string): SigningParty {
  const der = derOf(dir, name);
  return {
    der,
    signer: softwareSigner(createPrivateKey(readFileSync(join(dir, `${name}.key`))), der),
  };
}

/** Makes the PKI (about a second). */
export function makeArrivalPki(): ArrivalPki {
  const dir = mkdtempSync(join(tmpdir(), 'niem-arrival-pki-'));
  selfSigned(dir, 'root', '/C=VN/O=Ban Cơ yếu Chính phủ/CN=Niêm arrival TEST root');
  issue(dir, 'issuing', '/C=VN/O=Ban Cơ yếu Chính phủ/CN=Niêm arrival TEST CA', 'root', CA_EXT);
  const agency = (org: string, name: string) =>
    `/C=VN/O=${name}/organizationIdentifier=${org}/CN=Văn thư ${name}`;
  issue(dir, 'sender', agency(SENDER_ORG, 'Văn phòng Chính phủ'), 'issuing', SIGNER_EXT);
  issue(dir, 'receiver', agency(RECEIVER_ORG, 'Bộ Tư pháp'), 'issuing', SIGNER_EXT);
  selfSigned(dir, 'other-root', '/C=VN/O=Unrelated/CN=Unrelated root');
  issue(dir, 'stranger', agency(SENDER_ORG, 'Giả mạo'), 'other-root', SIGNER_EXT);
  // prettier-ignore
  issue(dir, 'tls', '/C=VN/O=Niêm TEST/CN=localhost', 'issuing',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  issue(dir, 'receipt', '/C=VN/O=Niêm TEST/CN=Trục thử nghiệm', 'issuing', SIGNER_EXT);
  const keys = makeVaultPki();
  return {
    keys,
    root: derOf(dir, 'root'),
    issuing: derOf(dir, 'issuing'),
    sender: signing(dir, 'sender'),
    receiver: signing(dir, 'receiver'),
    stranger: signing(dir, 'stranger'),
    platform: {
      tls: {
        cert:
          readFileSync(join(dir, 'tls.pem'), 'utf8') +
          readFileSync(join(dir, 'issuing.pem'), 'utf8'),
        key: readFileSync(join(dir, 'tls.key'), 'utf8'),
      },
      receipt: signing(dir, 'receipt'),
    },
    dispose: () => {
      keys.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a test package holds. */
export interface PackageSpec {
  level: LevelCode;
  subject: string;
  documents: { name: string; content: Buffer }[];
  /** Default: the sender clerk. */
  signer?: SigningParty;
  /** Recipient certificates (PEM); default the receiving clerk's. */
  recipients?: string[];
  /** manifest.json's From; default none (the signer's organizationIdentifier then names the sender). */
  from?: string;
}

/** A sealed package in memory. */
export async function sealTestPackage(pki: ArrivalPki, spec: PackageSpec): Promise<Buffer> {
  const recipients = spec.recipients ?? [readFileSync(pki.keys.clerk.certPath, 'utf8')];
  const metadata: Omit<Manifest, 'documents' | 'formatVersion' | 'securityLevel'> = {
    subject: spec.subject,
    ...(spec.from === undefined
      ? {}
      : { from: { organId: spec.from, organName: 'Văn phòng Chính phủ' } }),
  };
  const stream = await sealPackageStream({
    documents: spec.documents.map((d) => ({
      name: d.name,
      size: d.content.length,
      sha256: createHash('sha256').update(d.content).digest('hex'),
      open: async function* () {
        yield d.content;
      },
    })),
    metadata,
    level: spec.level,
    signers: [(spec.signer ?? pki.sender).signer],
    certificates: [pki.issuing],
    sender: { certificate: readFileSync(pki.keys.recovery.certPath, 'utf8') },
    recipients: recipients.map((certificate) => ({ certificate })),
  });
  const parts: Buffer[] = [];
  for await (const chunk of stream.chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

export const sha256Hex = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

/** The mailbox entry of `bytes` (as the platform would list it). */
export function entryFor(
  bytes: Buffer,
  level: LevelCode,
  sender = SENDER_ORG,
  cursor = '1',
): PackageEntry {
  return {
    cursor,
    kind: 'package',
    sha256: sha256Hex(bytes),
    size: bytes.length,
    level,
    sender,
    at: '2026-01-31T08:00:00.000Z',
  };
}

/** A fault the next download call meets after `after` bytes of that call. */
export type DownloadFault =
  { type: 'drop'; after: number } | { type: 'abort'; after: number; controller: AbortController };

/** A PlatformApi over packages in memory; see the module comment. */
export class MemoryPlatform implements PlatformApi {
  readonly origin = 'https://platform.test';
  readonly packages = new Map<string, Buffer>();
  /** The offsets of every download asked for, in order. */
  readonly downloads: { sha256: string; offset: number }[] = [];
  /** Every notice posted (DER), in order, including those that failed. */
  readonly posted: Buffer[] = [];
  /** Faults for the next download calls, first first. */
  readonly faults: DownloadFault[] = [];
  /** Bytes per yielded chunk. */
  chunkBytes = 16 * 1024;
  /** How postNotice answers the next calls (default: accepted). */
  readonly noticeReplies: ('ok' | 'unreachable' | 'refused')[] = [];

  async authenticate(): Promise<void> {}
  async directory(): Promise<never> {
    throw new Error('not in this test');
  }
  async upload(): Promise<never> {
    throw new Error('not in this test');
  }
  async uploadStatus(): Promise<undefined> {
    return undefined;
  }
  async mailbox(): Promise<never> {
    throw new Error('not in this test');
  }
  async ack(): Promise<void> {}
  async close(): Promise<void> {}

  async *download(
    sha256: string,
    offset: number,
    signal?: AbortSignal,
  ): AsyncGenerator<Uint8Array> {
    this.downloads.push({ sha256, offset });
    const bytes = this.packages.get(sha256);
    if (bytes === undefined) throw new NiemError('platform-refused', 'not-found');
    const fault = this.faults.shift();
    let sent = 0;
    for (let at = offset; at < bytes.length; at += this.chunkBytes) {
      signal?.throwIfAborted();
      if (fault !== undefined && sent >= fault.after) {
        if (fault.type === 'drop') throw new NiemError('platform-unreachable', 'connection reset');
        fault.controller.abort();
        signal?.throwIfAborted();
      }
      const chunk = bytes.subarray(at, Math.min(at + this.chunkBytes, bytes.length));
      sent += chunk.length;
      yield new Uint8Array(chunk);
    }
  }

  async postNotice(der: Uint8Array): Promise<void> {
    this.posted.push(Buffer.from(der));
    const reply = this.noticeReplies.shift() ?? 'ok';
    if (reply === 'unreachable') throw new NiemError('platform-unreachable', 'connection refused');
    if (reply === 'refused') {
      throw new NiemError('platform-refused', 'notice-refused', {
        detail: { code: 'notice-refused' },
      });
    }
  }
}

/**
 * Files under `dir` (recursively) holding `marker` as UTF-8 or UTF-16LE; with `since`,
 * only entries changed since then (ms) are looked at (for a shared folder such as tmp).
 */
export function filesWithMarker(dir: string, marker: string, since?: number): string[] {
  const needles = [Buffer.from(marker, 'utf8'), Buffer.from(marker, 'utf16le')];
  const hits: string[] = [];
  const walk = (folder: string): void => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return; // gone, or not ours to read
    }
    for (const name of names) {
      const path = join(folder, name);
      let st;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      if (since !== undefined && st.mtimeMs < since && !st.isDirectory()) continue;
      if (st.isDirectory()) {
        if (since === undefined || st.mtimeMs >= since || folder !== dir) walk(path);
        continue;
      }
      if (!st.isFile()) continue;
      try {
        const bytes = readFileSync(path);
        if (needles.some((n) => bytes.includes(n))) hits.push(path);
      } catch {
        // unreadable: not written by this test
      }
    }
  };
  walk(dir);
  return hits;
}

/**
 * What receivePackage is given in the arrival tests: the receiving clerk's key, signer and
 * chain, the root as the only anchor, 64 KiB download segments; `extra` overrides.
 */
export function receiveOptions(
  pki: ArrivalPki,
  extra: Partial<ReceiveOptions> = {},
): ReceiveOptions {
  return {
    keys: [pki.keys.clerk.key],
    trustAnchors: [pki.root],
    signer: pki.receiver.signer,
    organId: RECEIVER_ORG,
    certificates: [pki.issuing],
    segmentBytes: 64 * 1024,
    ...extra,
  };
}
