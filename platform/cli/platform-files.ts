/**
 * The platform's data folder: `platform.json` (settings, mode 0600 since a database URL
 * may hold a password), the trust anchors, and the TLS and receipt certificates with their
 * keys (keys mode 0600). `niem platform init` writes them; serve and admin read them. Key
 * material is checked when loaded: each key must match its certificate and the receipt key
 * must produce receipts that verify against the trust anchors.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { signStatement, verifyStatement } from '../../native/exchange/signed-statement.ts';
import { softwareSigner } from '../../native/seal/signed-data/index.ts';
import { say, type Lang } from '../../cli/cli-messages.ts';
import { CommandFailure } from '../../cli/token-prompt.ts';
import type { ReceiptSigner } from '../server/platform-server.ts';
import { platformMessages as m } from './platform-messages.ts';

export const SETTINGS_FILE = 'platform.json';

/** The files of the data folder (besides the database). */
export const dataFiles = {
  trust: 'trust.pem',
  tlsCert: 'tls.crt.pem',
  tlsKey: 'tls.key.pem',
  receiptCert: 'receipt.crt.pem',
  receiptKey: 'receipt.key.pem',
} as const;

const SettingsSchema = z.strictObject({
  format: z.literal('niem-platform'),
  version: z.literal(1),
  /** A postgres:// URL; absent: SQLite in the data folder. */
  database: z.string().min(1).optional(),
  /** Extra origins clients reach the platform by (auth audience). */
  origins: z.array(z.string().min(1)).optional(),
});
export type PlatformSettings = z.infer<typeof SettingsSchema>;

/** Writes `text` to `path` with `mode`, atomically (temporary file, then rename). */
export function writeFileAtomic(path: string, text: string | Buffer, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}

/** The settings of the data folder `dir`; a CommandFailure when it is not one. */
export function readSettings(dir: string, lang: Lang): PlatformSettings {
  const path = join(dir, SETTINGS_FILE);
  if (!existsSync(path)) throw new CommandFailure(say(m.notInitialised, lang, { dir }), 1);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CommandFailure(say(m.badSettings, lang, { path, detail: (err as Error).message }), 1);
  }
  const parsed = SettingsSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues[0]?.message ?? 'invalid';
    throw new CommandFailure(say(m.badSettings, lang, { path, detail }), 1);
  }
  return parsed.data;
}

export function writeSettings(dir: string, settings: PlatformSettings): void {
  writeFileAtomic(
    join(dir, SETTINGS_FILE),
    `${JSON.stringify(SettingsSchema.parse(settings), null, 2)}\n`,
    0o600,
  );
}

/** Reads a file as text, or a CommandFailure naming it. */
export function readText(path: string, lang: Lang): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CommandFailure(say(m.fileUnreadable, lang, { path, reason }), 1);
  }
}

/** Every certificate (DER) of a PEM text (or one bare DER in base64). */
export function pemCertificates(text: string): Buffer[] {
  const blocks = [
    ...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g),
  ];
  const ders = blocks.map((b) => Buffer.from((b[1] ?? '').replace(/\s+/g, ''), 'base64'));
  return ders.filter((der) => {
    try {
      new X509Certificate(der);
      return true;
    } catch {
      return false;
    }
  });
}

/** The certificates of a PEM file, at least one, or a CommandFailure. */
export function readCertificates(path: string, lang: Lang): Buffer[] {
  const ders = pemCertificates(readText(path, lang));
  if (ders.length === 0) throw new CommandFailure(say(m.noCertificate, lang, { path }), 1);
  return ders;
}

/** The private key of a PEM file, checked against `certificate` (DER). */
export function readMatchingKey(
  keyPath: string,
  certificate: Buffer,
  certPath: string,
  lang: Lang,
): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readText(keyPath, lang));
  } catch (err) {
    if (err instanceof CommandFailure) throw err;
    throw new CommandFailure(
      say(m.fileUnreadable, lang, { path: keyPath, reason: (err as Error).message }),
      1,
    );
  }
  const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
  if (!spki(createPublicKey(key)).equals(spki(new X509Certificate(certificate).publicKey))) {
    throw new CommandFailure(say(m.keyMismatch, lang, { key: keyPath, cert: certPath }), 1);
  }
  return key;
}

function isSelfIssued(der: Buffer): boolean {
  const cert = new X509Certificate(der);
  return cert.subject === cert.issuer;
}

/**
 * The receipt signer of the files given, proved usable: a probe receipt is signed and
 * verified against `trustAnchors`, so a wrong key usage or a certificate that clients
 * would not trust stops the platform at start, not at the first upload.
 */
export async function loadReceiptSigner(
  certPath: string,
  keyPath: string,
  trustAnchors: readonly Buffer[],
  lang: Lang,
): Promise<ReceiptSigner> {
  const [leaf, ...rest] = readCertificates(certPath, lang) as [Buffer, ...Buffer[]];
  const key = readMatchingKey(keyPath, leaf, certPath, lang);
  const intermediates = [...rest, ...trustAnchors.filter((der) => !isSelfIssued(der))];
  const receipt: ReceiptSigner = {
    signer: softwareSigner(key, leaf),
    certificates: intermediates,
  };
  try {
    const probe = await signStatement(
      receipt.signer,
      {
        type: 'niem-receipt',
        version: 1,
        sha256: '0'.repeat(64),
        size: 1,
        level: 'thuong',
        sender: '000.00.00.A00',
        senderCertificate: '0'.repeat(64),
        recipients: ['000.00.00.A00'],
        receivedAt: new Date().toISOString(),
        platform: 'probe',
      },
      { level: 'thuong', certificates: intermediates },
    );
    await verifyStatement(probe, { type: 'niem-receipt', trustAnchors });
  } catch (err) {
    throw new CommandFailure(
      say(m.receiptUnusable, lang, { cert: certPath, detail: (err as Error).message }),
      1,
    );
  }
  return receipt;
}

/** Everything `serve` needs from the data folder. */
export interface PlatformKeys {
  trustAnchors: Buffer[];
  /** Undefined when the folder has no TLS files. */
  tls: { cert: string; key: string } | undefined;
  receipt: ReceiptSigner;
}

/** Loads and checks the key material of the data folder `dir`. */
export async function loadPlatformKeys(dir: string, lang: Lang): Promise<PlatformKeys> {
  const at = (name: string) => join(dir, name);
  const trustAnchors = readCertificates(at(dataFiles.trust), lang);
  let tls: PlatformKeys['tls'];
  if (existsSync(at(dataFiles.tlsCert)) && existsSync(at(dataFiles.tlsKey))) {
    const cert = readText(at(dataFiles.tlsCert), lang);
    const [leaf] = readCertificates(at(dataFiles.tlsCert), lang) as [Buffer];
    readMatchingKey(at(dataFiles.tlsKey), leaf, at(dataFiles.tlsCert), lang);
    tls = { cert, key: readText(at(dataFiles.tlsKey), lang) };
  }
  const receipt = await loadReceiptSigner(
    at(dataFiles.receiptCert),
    at(dataFiles.receiptKey),
    trustAnchors,
    lang,
  );
  return { trustAnchors, tls, receipt };
}
