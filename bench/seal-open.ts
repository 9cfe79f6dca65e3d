/**
 * Package bench (issue #4 item 7): seals a generated file (default 1 GiB) into a Niêm
 * package for two recipients (RSA-3072 OAEP-SHA256 and EC P-256) signed by an RSA-3072
 * signer, opens it again (GCM tag, signature and chain verified, the document written to
 * an out dir), and in the same run does the same with the openssl CLI pipeline and the
 * same algorithms:
 *
 *   seal: openssl cms -sign -stream … | openssl cms -encrypt -stream -aes-256-gcm …
 *   open: openssl cms -decrypt … | openssl cms -verify …
 *
 * Every measurement runs in a fresh process so that its peak RSS (VmHWM) is its own: Niêm
 * in a child `node` running this file with `--child` — bundled into one JavaScript file by
 * esbuild, as the app ships its native process, and with the Node flag the CLI launcher
 * uses (`--max-semi-space-size=1`); `--ts` runs the TypeScript sources instead, as
 * `node cli/main.ts` does (+~35 MiB for Node's TypeScript loader) — openssl's two pipeline members each
 * under `/usr/bin/time -f %M` (the pipeline's peak is the larger of the two). Keys are
 * software keys (node:crypto / openssl files): the bench measures the package code, not
 * SoftHSM2 or a token. Prints one JSON object on stdout, progress on stderr; the temp dir
 * (PKI, input, packages, outputs) is removed at the end, also on failure or Ctrl-C.
 *
 *   source scripts/env.sh && node bench/seal-open.ts [--mib 1024] [--dir DIR] [--ts] > seal-open.json
 *
 * `--dir` is where the temp dir goes (default the OS temp dir): /dev/shm takes the disk
 * out of the figures (on these machines a disk run varies by up to 2× from one minute to
 * the next).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recipientCertificate, softwareRecipientKey } from '../native/seal/cms-crypto/index.ts';
import { openPackage, sealPackage } from '../native/seal/pipeline/index.ts';
import { softwareSigner } from '../native/seal/signed-data/index.ts';
import { NATIVE_NODE_FLAGS } from '../native/host/node-flags.ts';
import {
  childScript,
  machineFacts,
  procStatusKiB,
  round1,
  round2,
  run,
  writeNumberedBlocks,
} from './bench-child.ts';

const MiB = 1024 * 1024;
/** The native process's Node flags, which the CLI launcher uses too (see there why). */
const NODE_FLAGS = NATIVE_NODE_FLAGS;
const TARGETS = { sealRatio: 2, openRatio: 5, peakRssMiB: 160 };

/** A timed run: input MiB over wall seconds, wall seconds, peak RSS. */
export interface Measured {
  mibPerSec: number;
  seconds: number;
  peakRssMiB: number;
}

/** What a `--child` process prints: the operation's wall time and its own VmHWM. */
interface ChildResult {
  seconds: number;
  peakRssMiB: number;
  detail: Record<string, unknown>;
}

/** The files of the throwaway PKI, all in `dir`. */
export interface Pki {
  dir: string;
  caPem: string;
  signerKey: string;
  signerPem: string;
  rsaKey: string;
  rsaPem: string;
  p256Key: string;
  p256Pem: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function vmHwmMiB(): number {
  return round1(Math.max(procStatusKiB('VmHWM'), process.resourceUsage().maxRSS) / 1024);
}

// ---------------------------------------------------------------- child: one measurement

async function child(mode: string, pkiJson: string, input: string, work: string): Promise<void> {
  const pki = JSON.parse(pkiJson) as Pki;
  const pkg = join(work, 'niem.p7m');
  const start = performance.now();
  let detail: Record<string, unknown>;
  if (mode === 'seal') {
    const sealed = await sealPackage({
      files: [input],
      level: 'mat',
      signers: [
        softwareSigner(
          createPrivateKey(readFileSync(pki.signerKey)),
          new Uint8Array(new X509Certificate(readFileSync(pki.signerPem)).raw),
        ),
      ],
      sender: { certificate: readFileSync(pki.rsaPem, 'utf8') },
      recipients: [{ certificate: readFileSync(pki.p256Pem, 'utf8') }],
      out: pkg,
    });
    detail = { packageBytes: sealed.bytes, recipients: sealed.recipients.length };
  } else {
    const report = await openPackage({
      path: pkg,
      keys: [
        softwareRecipientKey(
          createPrivateKey(readFileSync(pki.rsaKey)),
          recipientCertificate(readFileSync(pki.rsaPem, 'utf8')),
        ),
      ],
      trustAnchors: [new Uint8Array(new X509Certificate(readFileSync(pki.caPem)).raw)],
      outDir: join(work, 'niem-out'),
    });
    const signer = report.signedData?.signers[0];
    if (!report.committed || report.tag !== 'valid') throw new Error('bench: open not committed');
    detail = {
      tag: report.tag,
      openedWith: report.openedWith?.type,
      signature: signer?.signature,
      verdict: signer?.verdict,
      documents: report.documents.map((d) => d.size),
    };
  }
  const seconds = (performance.now() - start) / 1000;
  const result: ChildResult = { seconds, peakRssMiB: vmHwmMiB(), detail };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------- parent

/** Makes the throwaway PKI in `dir` with openssl (CA, RSA signer, RSA and P-256 recipients). */
export function makePki(dir: string): Pki {
  const f = (name: string): string => join(dir, name);
  writeFileSync(
    f('ca.ext'),
    [
      '[req]',
      'distinguished_name=dn',
      '[dn]',
      '[v3]',
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid:always',
      '',
    ].join('\n'),
  );
  const signerExt = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,nonRepudiation',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
  ];
  const recipientExt = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,keyEncipherment,keyAgreement,digitalSignature',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
  ];
  const rsa = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'];
  const p256 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  openssl(['genpkey', ...p256, '-out', f('ca.key')]);
  // prettier-ignore
  openssl(['req', '-new', '-x509', '-utf8', '-key', f('ca.key'), '-subj', '/C=VN/O=Niêm Bench/CN=Niêm Bench CA',
    '-days', '30', '-config', f('ca.ext'), '-extensions', 'v3', '-out', f('ca.pem')]);
  const issue = (name: string, keyArgs: string[], cn: string, ext: string[]): void => {
    writeFileSync(f(`${name}.ext`), `${ext.join('\n')}\n`);
    openssl(['genpkey', ...keyArgs, '-out', f(`${name}.key`)]);
    // prettier-ignore
    openssl(['req', '-new', '-utf8', '-key', f(`${name}.key`), '-subj', `/C=VN/O=Niêm Bench/CN=${cn}`,
      '-out', f(`${name}.csr`)]);
    // prettier-ignore
    openssl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'),
      '-CAcreateserial', '-days', '30', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`)]);
  };
  issue('signer', rsa, 'Bench Signer RSA-3072', signerExt);
  issue('rsa', rsa, 'Bench Recipient RSA-3072', recipientExt);
  issue('p256', p256, 'Bench Recipient P-256', recipientExt);
  return {
    dir,
    caPem: f('ca.pem'),
    signerKey: f('signer.key'),
    signerPem: f('signer.pem'),
    rsaKey: f('rsa.key'),
    rsaPem: f('rsa.pem'),
    p256Key: f('p256.key'),
    p256Pem: f('p256.pem'),
  };
}

async function niem(
  script: string,
  mode: 'seal' | 'open',
  pki: Pki,
  input: string,
  sizeMiB: number,
): Promise<Measured & { detail: Record<string, unknown> }> {
  // prettier-ignore
  const r = await run(process.execPath, [...NODE_FLAGS, script, '--child', mode,
    JSON.stringify(pki), input, pki.dir]);
  if (r.code !== 0) throw new Error(`bench: niem ${mode} child failed (${r.code})`);
  const c = JSON.parse(r.stdout) as ChildResult;
  return {
    mibPerSec: round1(sizeMiB / c.seconds),
    seconds: round2(c.seconds),
    peakRssMiB: c.peakRssMiB,
    detail: c.detail,
  };
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** An openssl pipeline that did not finish: its exit code and what it printed last. */
export interface Failed {
  failed: true;
  exitCode: number | null;
  seconds: number;
  stderrTail: string;
}

/**
 * Runs `left | right` under bash with pipefail, each member under /usr/bin/time. A failure
 * is returned, not thrown, when `mayFail` (openssl cannot read a DER package of 2 GiB or
 * more into memory: that is a result of the comparison, not a broken bench).
 */
export async function opensslPipeline(
  dir: string,
  name: string,
  left: string[],
  right: string[],
  sizeMiB: number,
  mayFail = false,
): Promise<(Measured & { peakRssMiBEach: [number, number] }) | Failed> {
  const [t1, t2] = [join(dir, `${name}.time1`), join(dir, `${name}.time2`)];
  const timed = (file: string, args: string[]): string =>
    ['/usr/bin/time', '-f', '%M', '-o', file, 'openssl', ...args].map(q).join(' ');
  const script = `set -o pipefail; ${timed(t1, left)} | ${timed(t2, right)}`;
  const r = await run('bash', ['-c', `{ ${script}; } 2> ${q(join(dir, `${name}.stderr`))}`]);
  if (r.code !== 0) {
    const stderrTail = readFileSync(join(dir, `${name}.stderr`), 'utf8')
      .trim()
      .slice(-600);
    process.stderr.write(`${stderrTail}\n`);
    if (!mayFail) throw new Error(`bench: openssl ${name} failed (${r.code})`);
    return { failed: true, exitCode: r.code, seconds: round2(r.seconds), stderrTail };
  }
  const rss = (file: string): number =>
    round1(Number(readFileSync(file, 'utf8').trim().split('\n').at(-1)) / 1024);
  const each: [number, number] = [rss(t1), rss(t2)];
  return {
    mibPerSec: round1(sizeMiB / r.seconds),
    seconds: round2(r.seconds),
    peakRssMiB: Math.max(...each),
    peakRssMiBEach: each,
  };
}

/** `openssl cms -sign -stream | cms -encrypt -stream` of `input` into `pkg` (DER), both recipients. */
export function opensslSeal(
  pki: Pki,
  input: string,
  pkg: string,
  sizeMiB: number,
): ReturnType<typeof opensslPipeline> {
  // prettier-ignore
  return opensslPipeline(pki.dir, 'seal',
    ['cms', '-sign', '-stream', '-binary', '-nodetach', '-md', 'sha256', '-in', input,
      '-signer', pki.signerPem, '-inkey', pki.signerKey, '-outform', 'DER'],
    ['cms', '-encrypt', '-stream', '-binary', '-aes-256-gcm',
      '-recip', pki.rsaPem, '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256',
      '-keyopt', 'rsa_mgf1_md:sha256', '-recip', pki.p256Pem, '-keyopt', 'ecdh_kdf_md:sha256',
      '-outform', 'DER', '-out', pkg],
    sizeMiB);
}

/**
 * `openssl cms -decrypt | cms -verify` of `pkg` with the RSA recipient key, the document
 * written to `out`; a failure is returned (openssl cannot open a package of 2 GiB or more).
 */
export function opensslOpen(
  pki: Pki,
  pkg: string,
  out: string,
  sizeMiB: number,
): ReturnType<typeof opensslPipeline> {
  // prettier-ignore
  return opensslPipeline(pki.dir, 'open',
    ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', pkg, '-recip', pki.rsaPem,
      '-inkey', pki.rsaKey],
    ['cms', '-verify', '-binary', '-inform', 'DER', '-CAfile', pki.caPem, '-out', out],
    sizeMiB, true);
}

async function main(): Promise<void> {
  const argIndex = process.argv.indexOf('--mib');
  const sizeMiB = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1024;
  if (!Number.isInteger(sizeMiB) || sizeMiB <= 0) throw new Error('--mib: a positive integer');
  const dirIndex = process.argv.indexOf('--dir');
  const parent = dirIndex > 0 ? process.argv[dirIndex + 1] : tmpdir();
  if (parent === undefined) throw new Error('--dir: a folder');
  const typescript = process.argv.includes('--ts');
  const script = await childScript(import.meta.filename, typescript);
  const dir = mkdtempSync(join(parent, 'niem-seal-bench-'));
  const filesystem = execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const onSignal = (): void => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    process.stderr.write('making the PKI…\n');
    const pki = makePki(dir);
    const input = join(dir, 'input.bin');
    process.stderr.write(`writing ${sizeMiB} MiB…\n`);
    await writeNumberedBlocks(input, sizeMiB);

    process.stderr.write('niem seal…\n');
    const nSeal = await niem(script, 'seal', pki, input, sizeMiB);
    process.stderr.write(`  ${JSON.stringify(nSeal)}\nniem open…\n`);
    const nOpen = await niem(script, 'open', pki, input, sizeMiB);
    process.stderr.write(`  ${JSON.stringify(nOpen)}\n`);
    const niemPackageBytes = statSync(join(dir, 'niem.p7m')).size;
    rmSync(join(dir, 'niem-out'), { recursive: true, force: true });
    rmSync(join(dir, 'niem.p7m'));

    const pkg = join(dir, 'openssl.p7m');
    process.stderr.write('openssl cms -sign -stream | cms -encrypt -stream…\n');
    const oSeal = await opensslSeal(pki, input, pkg, sizeMiB);
    process.stderr.write(`  ${JSON.stringify(oSeal)}\nopenssl cms -decrypt | cms -verify…\n`);
    const opensslOut = join(dir, 'openssl-out');
    mkdirSync(opensslOut);
    const oOpen = await opensslOpen(pki, pkg, join(opensslOut, 'input.bin'), sizeMiB);
    process.stderr.write(`  ${JSON.stringify(oOpen)}\n`);
    const opensslPackageBytes = statSync(pkg).size;
    if ('mibPerSec' in oOpen && statSync(join(opensslOut, 'input.bin')).size !== sizeMiB * MiB) {
      throw new Error('bench: openssl open did not give back the input');
    }
    if ('failed' in oSeal) throw new Error('bench: openssl seal failed');

    // No ratio where openssl could not open at all (null): Niêm opened it, openssl did not.
    const ratios = {
      seal: round2(nSeal.mibPerSec / oSeal.mibPerSec),
      open: 'mibPerSec' in oOpen ? round2(nOpen.mibPerSec / oOpen.mibPerSec) : null,
    };
    const niemPeak = Math.max(nSeal.peakRssMiB, nOpen.peakRssMiB);
    const result = {
      bench: 'seal-open',
      date: new Date().toISOString(),
      machine: {
        ...machineFacts(),
        openssl: execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim(),
      },
      sizeMiB,
      workDir: { filesystem, note: 'input, packages and outputs all here' },
      niemProcess: typescript
        ? `node ${NODE_FLAGS.join(' ')} bench/seal-open.ts (TypeScript sources, type stripping)`
        : `node ${NODE_FLAGS.join(' ')} dist/bench/seal-open.mjs (esbuild bundle, as the app ships)`,
      keys: 'software (node:crypto KeyObject / openssl key files), not SoftHSM2 or a token',
      algorithms:
        'SignedData RSA-3072 PKCS#1 v1.5 SHA-256; AuthEnvelopedData AES-256-GCM to RSA-3072 ' +
        'OAEP-SHA256 (KTRI) + EC P-256 ECDH X9.63-SHA256 (KARI); both opened with the RSA key',
      niem: {
        seal: { ...strip(nSeal), packageBytes: niemPackageBytes },
        open: strip(nOpen),
        openDetail: nOpen.detail,
      },
      openssl: {
        seal: { ...oSeal, packageBytes: opensslPackageBytes },
        open: oOpen,
      },
      ratios,
      targets: TARGETS,
      met: {
        sealRatio: ratios.seal >= TARGETS.sealRatio,
        openRatio:
          ratios.open === null ? 'openssl could not open it' : ratios.open >= TARGETS.openRatio,
        peakRssMiB: niemPeak <= TARGETS.peakRssMiB,
      },
      notes: [
        'Software keys on both sides: the figures are the package code and openssl, not a token (one RSA signature and one RSA decryption per package, negligible at this size).',
        'Niêm times are the sealPackage / openPackage calls inside a fresh node process (startup excluded); openssl times are the whole bash pipeline. Peak RSS is VmHWM of the process (openssl: the larger of the two pipeline members, from /usr/bin/time %M).',
        'Niêm seal reads the input twice: describeFile hashes each document for manifest.json (first member of the tar body) before the body is streamed through SignedData and AES-GCM; every hash runs in digest worker threads. manifest.json must come first, so the second pass cannot start before the first ends: two sequential passes against one for the openssl pipeline, whose two processes run in parallel.',
        'openssl cms -decrypt and cms -verify read the whole DER structure into memory (d2i_CMS_bio), hence their peak RSS in the size of the package; from 2 GiB on, cms -decrypt fails (malloc failure in asn1_d2i_read_bio) and openssl cannot open the package at all.',
        'Niêm peak RSS does not grow with the size (see bench/README.md): ≈47 MiB is the node binary mapped, the rest heap, the digest worker and 1 MiB chunks between collections.',
      ],
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    cleanup();
  }
}

function strip(m: Measured): Measured {
  return { mibPerSec: m.mibPerSec, seconds: m.seconds, peakRssMiB: m.peakRssMiB };
}

if (process.argv[2] === '--child') {
  const [, , , mode, pkiJson, input, work] = process.argv;
  if (mode === undefined || pkiJson === undefined || input === undefined || work === undefined) {
    throw new Error('--child MODE PKI INPUT WORKDIR');
  }
  await child(mode, pkiJson, input, work);
} else if (import.meta.main) {
  // Not when imported (bench/exchange-sync-gib.ts uses the openssl pipelines above).
  await main();
}
