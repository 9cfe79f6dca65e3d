/**
 * The peer of bench/exchange-sync-gib.ts: what the reference tool, the openssl CLI, needs
 * to open a package of the same size. The same source document is sealed with the openssl
 * pipeline of bench/seal-open.ts (`cms -sign -stream | cms -encrypt -stream`, AES-256-GCM
 * to an RSA-3072 and a P-256 recipient, its throwaway PKI of software keys), then opened
 * with `cms -decrypt | cms -verify` (chain to the CA checked), each member under
 * `/usr/bin/time %M`. The open is the receive side's peer; the seal is given for context.
 */
import { execFileSync } from 'node:child_process';
import { freemem } from 'node:os';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makePki, opensslOpen, opensslSeal } from './seal-open.ts';
import { sha256File } from './exchange-sync-gib-steps.ts';

const MiB = 1024 * 1024;

/** The peer's part of the JSON. */
export type PeerResult =
  | { ran: false; why: string }
  | {
      ran: true;
      tool: string;
      how: string;
      seal: Record<string, unknown>;
      open: Record<string, unknown>;
    };

/**
 * Seals `source` (`sizeMiB` MiB, SHA-256 `sourceSha256`) and opens it with openssl in
 * `dir` (made here, removed at the end); the output must be the source byte for byte.
 */
export async function opensslPeer(
  dir: string,
  source: string,
  sourceSha256: string,
  sizeMiB: number,
  progress: (line: string) => void,
): Promise<PeerResult> {
  let version: string;
  try {
    version = execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return { ran: false, why: 'no openssl CLI on this machine' };
  }
  // cms -decrypt and cms -verify each read the whole package into memory (≈2.6× its size).
  const needMiB = 3 * sizeMiB + 512;
  if (freemem() < needMiB * MiB) {
    const free = Math.round(freemem() / MiB);
    return { ran: false, why: `openssl open needs ≈${needMiB} MiB of memory, ${free} MiB free` };
  }
  mkdirSync(dir);
  try {
    progress('peer: openssl PKI…');
    const pki = makePki(dir);
    const pkg = join(dir, 'openssl.p7m');
    progress('peer: openssl cms -sign -stream | cms -encrypt -stream…');
    const seal = await opensslSeal(pki, source, pkg, sizeMiB);
    if ('failed' in seal) throw new Error('bench: the openssl seal of the peer failed');
    const packageBytes = statSync(pkg).size;
    progress('peer: openssl cms -decrypt | cms -verify…');
    const out = join(dir, 'out.bin');
    const open = await opensslOpen(pki, pkg, out, sizeMiB);
    // openssl failing to open (from 2 GiB on: malloc failure) is a result, not a bench error.
    const outputIdentical = 'failed' in open ? null : (await sha256File(out)) === sourceSha256;
    if (outputIdentical === false) throw new Error('bench: openssl opened something else');
    return {
      ran: true,
      tool: version,
      how: 'bench/seal-open.ts opensslSeal / opensslOpen on the same source document: software keys from openssl files (RSA-3072 signer; RSA-3072 OAEP-SHA256 and EC P-256 recipients), opened with the RSA key; seconds: the whole bash pipeline; peakRssMiB: the larger of its two members (/usr/bin/time %M each)',
      seal: { ...seal, packageBytes },
      open: { ...open, outputIdentical },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
