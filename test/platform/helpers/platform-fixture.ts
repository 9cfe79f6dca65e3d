/**
 * A real platform for the server tests: startPlatform over TLS on 127.0.0.1 (ephemeral
 * port) with the SQLite store in a temporary data folder, the demo TLS and receipt keys,
 * and agencies whose clerks sign with software keys from the demo issuing CA. Helpers
 * sign in, seal real packages (native/seal/pipeline) and upload them as a client would.
 * Not a test file itself.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MIN_CHUNK_BYTES,
  type SessionReply,
  type UploadStatus,
} from '../../../native/exchange/platform-wire.ts';
import { signStatement } from '../../../native/exchange/signed-statement.ts';
import type { LevelCode } from '../../../native/seal/levels.ts';
import { sealPackageStream } from '../../../native/seal/pipeline/index.ts';
import { startPlatform, type RunningPlatform } from '../../../platform/server/platform-server.ts';
import { openStore } from '../../../platform/store/open-store.ts';
import type { PlatformStore } from '../../../platform/store/platform-store.ts';
import { call, type CallOptions, type HttpReply } from './platform-http.ts';
import { testPki, type TestClerk, type TestPki } from './platform-pki.ts';

/** An agency of a test platform. */
export interface TestAgency {
  organId: string;
  clearance: LevelCode;
}

export interface TestPlatformOptions {
  agencies?: readonly TestAgency[];
  /** Default: the smallest a client accepts (64 KiB), so packages have several chunks. */
  chunkBytes?: number;
  approvedLevel?: LevelCode;
  now?: () => Date;
  /** Start again on the data folder of a stopped platform, with its clerks (a restart). */
  restartOf?: TestPlatform;
  /** A PostgreSQL database instead of SQLite in the data folder. */
  databaseUrl?: string;
  /** Another instance on the same PostgreSQL database: no setup, the same clerks. */
  sharing?: TestPlatform;
}

/** A running test platform. */
export interface TestPlatform {
  pki: TestPki;
  url: string;
  dataDir: string;
  databaseUrl: string | undefined;
  store: PlatformStore;
  /** One clerk per agency, by OrganId. */
  clerks: Map<string, TestClerk>;
  request(method: string, path: string, options?: CallOptions): Promise<HttpReply>;
  /** Stops the server and closes the store (the data folder stays). */
  stop(): Promise<void>;
  /** Stops and removes the data folder. */
  dispose(): Promise<void>;
}

export const G22 = '000.00.00.G22';
export const G99 = '000.00.00.G99';
export const H01 = '000.00.00.H01';

/** Three agencies: G22 cleared up to tuyet-mat, G99 to toi-mat, H01 to mat. */
export const defaultAgencies: readonly TestAgency[] = [
  { organId: G22, clearance: 'tuyet-mat' },
  { organId: G99, clearance: 'toi-mat' },
  { organId: H01, clearance: 'mat' },
];

/** Starts a platform with a fresh (or the given) data folder. */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const pki = await testPki();
  const previous = options.restartOf ?? options.sharing;
  const dataDir =
    options.restartOf?.dataDir ?? (await mkdtemp(join(tmpdir(), 'niem-platform-server-')));
  const databaseUrl = previous?.databaseUrl ?? options.databaseUrl;
  const store = await openStore({ dataDir, databaseUrl });
  const clerks = new Map<string, TestClerk>(previous?.clerks ?? []);
  if (previous === undefined) {
    await store.setConfig({
      chunkBytes: options.chunkBytes ?? MIN_CHUNK_BYTES,
      approvedLevel: options.approvedLevel ?? 'toi-mat',
      platformName: 'truc-thu-nghiem.test',
    });
  }
  for (const agency of previous === undefined ? (options.agencies ?? defaultAgencies) : []) {
    await store.putAgency({
      organId: agency.organId,
      name: `Cơ quan ${agency.organId}`,
      clearance: agency.clearance,
      keyTransport: 'ecdh',
    });
    const clerk = await pki.clerk(agency.organId);
    await store.addCertificate(agency.organId, clerk.der);
    clerks.set(agency.organId, clerk);
  }
  let running: RunningPlatform | undefined = await startPlatform({
    store,
    tls: pki.tls,
    host: '127.0.0.1',
    port: 0,
    trustAnchors: [pki.rootDer],
    receiptSigner: { signer: pki.receipt.signer, certificates: [pki.issuingDer] },
    ...(options.now ? { now: options.now } : {}),
  });
  const url = running.url;
  const stop = async () => {
    if (running === undefined) return;
    await running.close();
    running = undefined;
    await store.close();
  };
  return {
    pki,
    url,
    dataDir,
    databaseUrl,
    store,
    clerks,
    request: (method, path, o = {}) => call(url, method, path, { ca: pki.caChainPem, ...o }),
    stop,
    dispose: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Options of makeProof: what to sign, each defaulting to what a correct client signs. */
export interface ProofOptions {
  nonce?: string;
  audience?: string;
  at?: Date;
  /** Sign a statement of another type (a notice) instead. */
  type?: 'niem-auth' | 'niem-notice';
}

/** An auth proof (base64) signed by `clerk` for `platform`. */
export async function makeProof(
  platform: Pick<TestPlatform, 'url' | 'pki'>,
  clerk: TestClerk,
  nonce: string,
  options: ProofOptions = {},
): Promise<string> {
  const at = (options.at ?? new Date()).toISOString();
  const der =
    options.type === 'niem-notice'
      ? await signStatement(
          clerk.signer,
          {
            type: 'niem-notice',
            version: 1,
            sha256: 'a'.repeat(64),
            status: '01',
            from: clerk.organId,
            to: clerk.organId,
            at,
          },
          { level: 'thuong', certificates: [platform.pki.issuingDer] },
        )
      : await signStatement(
          clerk.signer,
          {
            type: 'niem-auth',
            version: 1,
            nonce: options.nonce ?? nonce,
            audience: options.audience ?? new URL(platform.url).origin,
            at,
          },
          { level: 'thuong', certificates: [platform.pki.issuingDer] },
        );
  return Buffer.from(der).toString('base64');
}

/** A fresh challenge nonce. */
export async function challenge(platform: TestPlatform): Promise<string> {
  const reply = await platform.request('POST', '/v1/auth/challenge');
  if (reply.status !== 200) throw new Error(`challenge: ${reply.status} ${reply.body.toString()}`);
  return reply.json<{ nonce: string }>().nonce;
}

/** Signs `clerk` in and returns the session token. */
export async function signIn(platform: TestPlatform, clerk: TestClerk): Promise<string> {
  const nonce = await challenge(platform);
  const proof = await makeProof(platform, clerk, nonce);
  const reply = await platform.request('POST', '/v1/auth/session', { json: { proof } });
  if (reply.status !== 200) throw new Error(`session: ${reply.status} ${reply.body.toString()}`);
  return reply.json<SessionReply>().token;
}

/** A sealed package's bytes and what a client declares about it. */
export interface TestPackage {
  bytes: Buffer;
  sha256: string;
  level: LevelCode;
}

/** Seals `size` bytes of a document from `sender` to `recipients` (real Niêm package). */
export async function sealTestPackage(
  sender: TestClerk,
  recipients: readonly TestClerk[],
  level: LevelCode,
  size = 200 * 1024,
  issuingDer?: Buffer,
): Promise<TestPackage> {
  const document = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) document[i] = (i * 31 + 7) & 0xff;
  const stream = await sealPackageStream({
    documents: [
      {
        name: 'cong-van.txt',
        size,
        sha256: createHash('sha256').update(document).digest('hex'),
        open: async function* () {
          yield document;
        },
      },
    ],
    level,
    signers: [sender.signer],
    ...(issuingDer ? { certificates: [issuingDer] } : {}),
    sender: { certificate: sender.der },
    recipients: recipients.map((r) => ({ certificate: r.der })),
  });
  const parts: Buffer[] = [];
  for await (const chunk of stream.chunks) parts.push(Buffer.from(chunk));
  const bytes = Buffer.concat(parts);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), level };
}

/** `Content-Digest` of bytes (RFC 9530). */
export function contentDigest(bytes: Buffer): string {
  return `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
}

/** Starts an upload of `pkg` to `recipients` (OrganIds). */
export function startUpload(
  platform: TestPlatform,
  token: string,
  pkg: TestPackage,
  recipients: readonly string[],
  level: LevelCode = pkg.level,
): Promise<HttpReply> {
  return platform.request('POST', '/v1/uploads', {
    token,
    json: { sha256: pkg.sha256, size: pkg.bytes.length, level, recipients },
  });
}

/** Chunk `index` of `pkg` for an upload with `chunkBytes`. */
export function chunkOf(pkg: TestPackage, chunkBytes: number, index: number): Buffer {
  return pkg.bytes.subarray(index * chunkBytes, (index + 1) * chunkBytes);
}

/** PUTs chunk `index` with its Content-Digest. */
export function putChunk(
  platform: TestPlatform,
  token: string,
  pkg: TestPackage,
  status: Pick<UploadStatus, 'chunkBytes'>,
  index: number,
  body: Buffer = chunkOf(pkg, status.chunkBytes, index),
): Promise<HttpReply> {
  return platform.request('PUT', `/v1/uploads/${pkg.sha256}/chunks/${index}`, {
    token,
    body,
    headers: { 'content-digest': contentDigest(body) },
  });
}

/** Uploads `pkg` whole (start, every chunk, complete); returns the completion reply. */
export async function uploadWhole(
  platform: TestPlatform,
  token: string,
  pkg: TestPackage,
  recipients: readonly string[],
): Promise<HttpReply> {
  const started = await startUpload(platform, token, pkg, recipients);
  if (started.status !== 201 && started.status !== 200) return started;
  const status = started.json<UploadStatus>();
  for (let index = 0; index < status.chunkCount; index += 1) {
    if (status.received.includes(index)) continue;
    const put = await putChunk(platform, token, pkg, status, index);
    if (put.status !== 204) return put;
  }
  return platform.request('POST', `/v1/uploads/${pkg.sha256}/complete`, { token });
}
