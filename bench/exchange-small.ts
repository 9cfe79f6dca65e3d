/**
 * Small packages end to end through one platform (issue 6, "1,000 small packages end to
 * end"), with two clerks of two agencies and the Niêm platform client on both sides:
 *
 * 1. seal: the sender seals N packages in memory (one document of a few KiB, level Mật,
 *    signed by its software key, encrypted to the recipient and to itself) — timed apart;
 * 2. upload: each package by `PlatformApi.upload` in turn, as the engine's push does (start,
 *    chunk, complete, the receipt verified); each call's latency is kept;
 * 3. pull: the recipient reads its mailbox by pages of 100, downloads each package, checks
 *    its SHA-256 and size, opens it in memory (GCM tag, signature and chain verified, the
 *    document checked against the manifest; nothing written), signs an 01 notice with its
 *    key and posts it, and acknowledges each page;
 * 4. notices: the sender reads its mailbox until it holds the N notices, verifying each
 *    (signature, chain, status 01, a package it sent), and acknowledges them.
 *
 * No vault: the figures are the exchange (client, wire, platform), not the vault's storage.
 */
import { createHash, randomBytes } from 'node:crypto';
import { NiemError } from '../native/api/errors.ts';
import type { MailboxEntry } from '../native/exchange/platform-wire.ts';
import { signStatement, verifyStatement } from '../native/exchange/signed-statement.ts';
import { openPackage, sealPackageStream, type OpenSink } from '../native/seal/pipeline/index.ts';
import type { PackageSource, PlatformApi } from '../native/sync/platform-api.ts';
import { round1, round2 } from './bench-child.ts';
import { recordHttp } from './exchange-http.ts';
import { BENCH_LEVEL, benchClient, pemDers, type ClerkIdentity } from './exchange-pki.ts';
import {
  cpuWindow,
  perSecond,
  since,
  summarise,
  type CpuProbes,
  type LatencySummary,
} from './exchange-stats.ts';

/** A sealed package held in memory. */
export interface SmallPackage {
  sha256: string;
  bytes: Buffer;
  recipients: string[];
}

/** Seals one document of `documentBytes` random bytes from `sender` to `recipients`. */
export async function sealSmall(
  sender: ClerkIdentity,
  recipients: readonly ClerkIdentity[],
  issuing: Uint8Array,
  documentBytes: number,
  n: number,
): Promise<SmallPackage> {
  const content = randomBytes(documentBytes);
  const stream = await sealPackageStream({
    documents: [
      {
        name: `van-ban-${n}.pdf`,
        size: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        open: async function* () {
          yield content;
        },
      },
    ],
    metadata: { subject: `Về việc thử nghiệm trao đổi số ${n}` },
    level: BENCH_LEVEL,
    signers: [sender.signer],
    certificates: [issuing],
    sender: { certificate: sender.certDer },
    recipients: recipients.map((r) => ({ certificate: r.certDer })),
  });
  const parts: Uint8Array[] = [];
  for await (const part of stream.chunks) parts.push(Buffer.from(part));
  const bytes = Buffer.concat(parts);
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes,
    recipients: [...new Set(recipients.map((r) => r.organId))],
  };
}

/** The platform's view of a package held in memory. */
export function memorySource(pkg: SmallPackage): PackageSource {
  return {
    sha256: pkg.sha256,
    size: pkg.bytes.length,
    level: BENCH_LEVEL,
    recipients: pkg.recipients,
    read: async function* (offset) {
      yield pkg.bytes.subarray(offset);
    },
  };
}

/** An open sink that checks and drops everything (the document is hashed by openPackage). */
const nullSink: OpenSink = {
  location: '(memory)',
  manifest: async () => undefined,
  file: async (_name, content) => {
    let n = 0;
    for await (const chunk of content) n += chunk.length;
    return n;
  },
  commit: async () => undefined,
  close: async () => undefined,
};

async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes;
}

export interface SmallResult {
  packages: number;
  documentBytes: number;
  packageBytes: { min: number; max: number };
  seal: { seconds: number; perPackageMs: number };
  signInSeconds: number;
  /** Upload + pull + notices, seconds (sealing and sign-in apart). */
  totalSeconds: number;
  packagesPerSecond: number;
  /** CPU time of the bench process (both clients) over totalSeconds. */
  clientCpuSeconds: number;
  /** The platform's CPU time over totalSeconds. */
  serverCpuSeconds: number;
  /** The rest of the machine's over totalSeconds. */
  otherCpuSeconds: number;
  phases: { uploadSeconds: number; pullSeconds: number; noticesSeconds: number };
  uploadLatency: LatencySummary;
  /** Recipient, per package: download, SHA-256, open, 01 notice signed and posted. */
  receiveLatency: LatencySummary;
  /** Every HTTP request of both clients by route, to the reply's headers. */
  httpLatency: Record<string, LatencySummary>;
  mailboxReads: { recipient: number; sender: number };
  noticesVerified: number;
}

async function drainMailbox(
  client: PlatformApi,
  handle: (entry: MailboxEntry) => Promise<void>,
): Promise<number> {
  let reads = 0;
  let after: string | undefined;
  for (;;) {
    const page = await client.mailbox(after, 100);
    reads += 1;
    for (const entry of page.entries) await handle(entry);
    const last = page.entries.at(-1);
    if (last !== undefined) {
      await client.ack(last.cursor);
      after = last.cursor;
    }
    if (!page.more) return reads;
  }
}

export async function smallPackages(o: {
  url: string;
  caChainPem: string;
  sender: ClerkIdentity;
  recipient: ClerkIdentity;
  count: number;
  documentBytes: number;
  cpu: CpuProbes;
  progress: (line: string) => void;
}): Promise<SmallResult> {
  const { sender, recipient, count } = o;
  const [root, issuing] = pemDers(o.caChainPem) as [Uint8Array, Uint8Array];
  const s0 = performance.now();
  const packages: SmallPackage[] = [];
  for (let i = 0; i < count; i++)
    packages.push(await sealSmall(sender, [recipient], issuing, o.documentBytes, i));
  const sealMs = since(s0);
  o.progress(`sealed ${count} packages in ${round1(sealMs)} ms`);

  const out = benchClient(o.url, o.caChainPem, sender);
  const inn = benchClient(o.url, o.caChainPem, recipient);
  const a0 = performance.now();
  await Promise.all([out.authenticate(), inn.authenticate()]);
  const signInMs = since(a0);

  const window = cpuWindow(o.cpu);
  const stopHttp = recordHttp();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const uploadMs: number[] = [];
  for (const pkg of packages) {
    const u0 = performance.now();
    const receipt = await out.upload(memorySource(pkg), () => undefined);
    uploadMs.push(since(u0));
    if (receipt.statement.sha256 !== pkg.sha256) throw new Error('bench: receipt for another');
  }
  const t1 = performance.now();
  o.progress(`uploaded in ${round1(t1 - t0)} ms`);

  const receiveMs: number[] = [];
  const sent = new Set(packages.map((p) => p.sha256));
  const recipientReads = await drainMailbox(inn, async (entry) => {
    if (entry.kind !== 'package') throw new Error('bench: the recipient got a notice');
    const r0 = performance.now();
    const parts: Buffer[] = [];
    for await (const piece of inn.download(entry.sha256, 0)) parts.push(Buffer.from(piece));
    const bytes = Buffer.concat(parts);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== entry.sha256 || bytes.length !== entry.size || !sent.has(sha)) {
      throw new NiemError('platform-bad-reply', `bench: download of ${entry.sha256} differs`);
    }
    const report = await openPackage({
      path: `${sha}.p7m`,
      bytes: once(bytes),
      keys: [recipient.recipientKey],
      trustAnchors: [root],
      sink: nullSink,
    });
    if (!report.committed || report.tag !== 'valid') throw new Error('bench: open failed');
    const notice = await signStatement(
      recipient.signer,
      {
        type: 'niem-notice',
        version: 1,
        sha256: sha,
        status: '01',
        from: recipient.organId,
        to: entry.sender,
        at: new Date().toISOString(),
      },
      { level: entry.level, certificates: [issuing] },
    );
    await inn.postNotice(notice);
    receiveMs.push(since(r0));
  });
  const t2 = performance.now();
  o.progress(`pulled, opened and noticed in ${round1(t2 - t1)} ms`);

  let verified = 0;
  const senderReads = await drainMailbox(out, async (entry) => {
    if (entry.kind !== 'notice') throw new Error('bench: the sender got a package');
    const { statement } = await verifyStatement(Buffer.from(entry.notice, 'base64'), {
      type: 'niem-notice',
      trustAnchors: [root],
    });
    if (
      statement.status !== '01' ||
      statement.to !== sender.organId ||
      !sent.has(statement.sha256)
    ) {
      throw new Error(`bench: unexpected notice ${JSON.stringify(statement)}`);
    }
    verified += 1;
  });
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const clientCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const used = window(clientCpuSeconds);
  const http = stopHttp();
  await Promise.all([out.close(), inn.close()]);
  if (receiveMs.length !== count || verified !== count) {
    throw new Error(`bench: ${receiveMs.length} received, ${verified} notices of ${count}`);
  }
  const sizes = packages.map((p) => p.bytes.length);
  const totalSeconds = (t3 - t0) / 1000;
  return {
    packages: count,
    documentBytes: o.documentBytes,
    packageBytes: { min: Math.min(...sizes), max: Math.max(...sizes) },
    seal: { seconds: round2(sealMs / 1000), perPackageMs: round2(sealMs / count) },
    signInSeconds: round2(signInMs / 1000),
    totalSeconds: round2(totalSeconds),
    packagesPerSecond: perSecond(count, totalSeconds),
    clientCpuSeconds: round2(clientCpuSeconds),
    ...used,
    phases: {
      uploadSeconds: round2((t1 - t0) / 1000),
      pullSeconds: round2((t2 - t1) / 1000),
      noticesSeconds: round2((t3 - t2) / 1000),
    },
    uploadLatency: summarise(uploadMs),
    receiveLatency: summarise(receiveMs),
    httpLatency: http.latency,
    mailboxReads: { recipient: recipientReads, sender: senderReads },
    noticesVerified: verified,
  };
}
