/**
 * A real exchange platform for the sync engine's tests (not a test file): startPlatform
 * over TLS on 127.0.0.1 with the embedded SQLite store in a temp folder, its TLS and
 * receipt certificates issued by the sync PKI's CA (./sync-engine-fixture.ts), the four
 * agencies with their clerks' certificates; real packages sealed from drafts in the
 * sender's vault; platform clients for the clerks (software keys). Nothing leaves
 * loopback.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_CHUNK_BYTES } from '../../native/exchange/platform-wire.ts';
import type { LevelCode } from '../../native/seal/levels.ts';
import { softwareSigner } from '../../native/seal/signed-data/index.ts';
import { createPlatformClient } from '../../native/sync/platform-client.ts';
import type { PlatformApi } from '../../native/sync/platform-api.ts';
import { createDraft, importDirectory, sealDraft, type Vault } from '../../native/vault/index.ts';
import { startPlatform, type RunningPlatform } from '../../platform/server/platform-server.ts';
import { openStore } from '../../platform/store/open-store.ts';
import type { PlatformStore } from '../../platform/store/platform-store.ts';
import { OUTSIDER, RECIPIENT, SECOND, US, clerkOf, type SyncPki } from './sync-engine-fixture.ts';

const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
};

/** The platform's TLS and receipt keys, issued by `pki`'s root (in `pki.dir`). */
export interface PlatformKeys {
  tls: { cert: string; key: string };
  receipt: { der: Uint8Array; key: ReturnType<typeof createPrivateKey> };
}

export function makePlatformKeys(pki: SyncPki): PlatformKeys {
  const dir = pki.dir;
  const issue = (name: string, ext: string, subject: string): void => {
    openssl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      join(dir, `${name}.key`),
    ]);
    openssl([
      'req',
      '-new',
      '-utf8',
      '-key',
      join(dir, `${name}.key`),
      '-subj',
      subject,
      '-out',
      join(dir, `${name}.csr`),
    ]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    // prettier-ignore
    openssl(['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, 'root.pem'),
      '-CAkey', join(dir, 'root.key'), '-CAcreateserial', '-days', '20',
      '-extfile', join(dir, `${name}.ext`), '-out', join(dir, `${name}.pem`)]);
  };
  issue(
    'tls',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
    '/C=VN/O=Niêm TEST/CN=localhost',
  );
  issue(
    'receipt',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n',
    '/C=VN/O=Niêm TEST/CN=Trục thử nghiệm (biên nhận)',
  );
  return {
    tls: {
      cert: readFileSync(join(dir, 'tls.pem'), 'utf8'),
      key: readFileSync(join(dir, 'tls.key'), 'utf8'),
    },
    receipt: {
      der: new Uint8Array(new X509Certificate(readFileSync(join(dir, 'receipt.pem'))).raw),
      key: createPrivateKey(readFileSync(join(dir, 'receipt.key'))),
    },
  };
}

/** A running platform; `stop` keeps its data (a restart on the same port continues). */
export interface RealPlatform {
  url: string;
  port: number;
  store: PlatformStore;
  stop(): Promise<void>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** Clearances at the platform: SECOND only up to mat, the others up to toi-mat. */
export async function startRealPlatform(pki: SyncPki, keys: PlatformKeys): Promise<RealPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'niem-sync-platform-'));
  let store = await openStore({ dataDir });
  await store.setConfig({
    chunkBytes: MIN_CHUNK_BYTES,
    approvedLevel: 'toi-mat',
    platformName: 'truc-thu.test',
  });
  for (const organId of [US, RECIPIENT, SECOND, OUTSIDER]) {
    await store.putAgency({
      organId,
      name: `Cơ quan ${organId}`,
      clearance: organId === SECOND ? 'mat' : 'toi-mat',
      keyTransport: 'ecdh',
    });
    await store.addCertificate(organId, Buffer.from(clerkOf(pki, organId).der));
  }
  let port = 0;
  let running: RunningPlatform | undefined;
  const start = async (): Promise<void> => {
    running = await startPlatform({
      store,
      tls: keys.tls,
      host: '127.0.0.1',
      port,
      trustAnchors: [pki.ca],
      receiptSigner: { signer: softwareSigner(keys.receipt.key, keys.receipt.der) },
    });
    port = Number(new URL(running.url).port);
  };
  await start();
  const platform: RealPlatform = {
    url: `https://127.0.0.1:${port}`,
    port,
    get store() {
      return store;
    },
    stop: async () => {
      await running?.close();
      running = undefined;
      await store.close();
    },
    restart: async () => {
      store = await openStore({ dataDir });
      await start();
    },
    dispose: async () => {
      await platform.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return platform;
}

/** A platform client for the clerk of `organId`, trusting `anchors` (default the CA). */
export function clientFor(
  pki: SyncPki,
  url: string,
  organId: string,
  anchors: readonly Uint8Array[] = [pki.ca],
): PlatformApi {
  const clerk = clerkOf(pki, organId);
  return createPlatformClient({
    url,
    trustAnchors: anchors,
    signer: async () => softwareSigner(clerk.key, clerk.der),
    organId,
    senderCertificateSha256: createHash('sha256').update(clerk.der).digest('hex'),
  });
}

/** The directory of the sender's vault: the recipients, as sealing needs them. */
export function importTestDirectory(vault: Vault, pki: SyncPki): void {
  const agency = (organId: string) => ({
    organId,
    name: `Cơ quan ${organId}`,
    clearance: 'toi-mat',
    keyTransport: 'ecdh',
    certificates: [new X509Certificate(clerkOf(pki, organId).der).toString()],
  });
  importDirectory(
    vault,
    JSON.stringify({
      format: 'niem-directory',
      version: 1,
      agencies: [agency(RECIPIENT), agency(SECOND)],
    }),
  );
}

/** Seals a draft of `size` bytes for `recipients` into the outbox: a real Niêm package. */
export async function sealForTest(
  vault: Vault,
  pki: SyncPki,
  recipients: readonly string[],
  level: LevelCode = 'mat',
  size = 300_000,
): Promise<{ outboxId: number; packageSha256: string; bytes: number }> {
  const content = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) content[i] = (i * 131 + 7) & 0xff;
  const draft = await createDraft(vault, {
    subject: 'Công văn thử đồng bộ',
    level,
    recipients: [...recipients],
    documents: [{ name: 'cong-van.txt', content }],
  });
  const us = clerkOf(pki, US);
  return sealDraft(vault, draft, {
    signer: softwareSigner(us.key, us.der),
    sender: { certificate: us.der },
  });
}
