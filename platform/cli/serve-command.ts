/**
 * `niem platform init` (a data folder: settings, trust anchors, TLS and receipt keys, the
 * database with the platform's name and approved level) and `niem platform serve` (runs
 * the platform until SIGINT or SIGTERM, then closes the server and the store cleanly).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { say, type Lang } from '../../cli/cli-messages.ts';
import { CommandFailure } from '../../cli/token-prompt.ts';
import { levelCodes, type LevelCode } from '../../native/seal/levels.ts';
import { startPlatform } from '../server/platform-server.ts';
import { openStore } from '../store/open-store.ts';
import type { PlatformStore } from '../store/platform-store.ts';
import {
  dataFiles,
  loadPlatformKeys,
  loadReceiptSigner,
  readCertificates,
  readMatchingKey,
  readSettings,
  readText,
  writeFileAtomic,
  writeSettings,
  type PlatformSettings,
} from './platform-files.ts';
import { platformMessages as m } from './platform-messages.ts';

/** Options shared by the platform commands. */
export interface PlatformCommon {
  dir: string;
  database: string | undefined;
  lang: Lang;
  json: boolean;
}

/** A level option's value, or a usage failure. */
export function levelOption(value: string, lang: Lang): LevelCode {
  if (!(levelCodes as readonly string[]).includes(value)) {
    throw new CommandFailure(say(m.badLevel, lang), 2);
  }
  return value as LevelCode;
}

/** Opens the store of the data folder (PostgreSQL when a URL is given or configured). */
export async function openPlatformStore(
  common: PlatformCommon,
  settings: PlatformSettings | undefined,
): Promise<PlatformStore> {
  const databaseUrl = common.database ?? settings?.database;
  try {
    return await openStore({ dataDir: common.dir, databaseUrl });
  } catch (err) {
    throw new CommandFailure(
      say(m.storeFailed, common.lang, { detail: (err as Error).message }),
      1,
    );
  }
}

export interface InitOptions extends PlatformCommon {
  trust: string;
  tlsCert: string;
  tlsKey: string;
  receiptCert: string;
  receiptKey: string;
  name: string | undefined;
  approvedLevel: LevelCode | undefined;
}

const pem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;

/** Creates or updates a data folder; everything is checked before anything is written. */
export async function initCommand(o: InitOptions): Promise<string> {
  const { lang } = o;
  const trust = readCertificates(o.trust, lang);
  const tlsChain = readCertificates(o.tlsCert, lang);
  readMatchingKey(o.tlsKey, tlsChain[0] as Buffer, o.tlsCert, lang);
  await loadReceiptSigner(o.receiptCert, o.receiptKey, trust, lang);
  const receiptChain = readCertificates(o.receiptCert, lang);
  const tlsKey = readText(o.tlsKey, lang);
  const receiptKey = readText(o.receiptKey, lang);

  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const previous = existsSync(join(o.dir, 'platform.json')) ? readSettings(o.dir, lang) : undefined;
  const at = (name: string) => join(o.dir, name);
  writeFileAtomic(at(dataFiles.trust), trust.map(pem).join(''), 0o644);
  writeFileAtomic(at(dataFiles.tlsCert), tlsChain.map(pem).join(''), 0o644);
  writeFileAtomic(at(dataFiles.tlsKey), tlsKey, 0o600);
  writeFileAtomic(at(dataFiles.receiptCert), receiptChain.map(pem).join(''), 0o644);
  writeFileAtomic(at(dataFiles.receiptKey), receiptKey, 0o600);
  const database = o.database ?? previous?.database;
  writeSettings(o.dir, {
    format: 'niem-platform',
    version: 1,
    ...(database !== undefined ? { database } : {}),
    ...(previous?.origins !== undefined ? { origins: previous.origins } : {}),
  });
  const store = await openPlatformStore(o, undefined);
  try {
    const config = await store.setConfig({
      ...(o.name !== undefined ? { platformName: o.name } : {}),
      ...(o.approvedLevel !== undefined ? { approvedLevel: o.approvedLevel } : {}),
    });
    if (o.json) return JSON.stringify({ dir: resolve(o.dir), ...config });
    return say(m.initialised, lang, {
      name: config.platformName,
      dir: resolve(o.dir),
      level: config.approvedLevel,
      database: database === undefined ? 'SQLite' : 'PostgreSQL',
    });
  } finally {
    await store.close();
  }
}

export interface ServeOptions extends PlatformCommon {
  host: string;
  port: number;
  origins: string[];
  insecureHttpDev: boolean;
  /** One log line per request (method, route, status, time; never headers or bodies). */
  log: boolean;
}

/** Runs the platform until SIGINT/SIGTERM; prints its URL once listening. */
export async function serveCommand(o: ServeOptions): Promise<void> {
  const { lang } = o;
  const settings = readSettings(o.dir, lang);
  const keys = await loadPlatformKeys(o.dir, lang);
  if (!o.insecureHttpDev && keys.tls === undefined) {
    throw new CommandFailure(say(m.noTls, lang, { dir: o.dir }), 1);
  }
  const store = await openPlatformStore(o, settings);
  let platform;
  try {
    platform = await startPlatform({
      store,
      tls: o.insecureHttpDev ? 'insecure-dev' : (keys.tls as { cert: string; key: string }),
      host: o.host,
      port: o.port,
      trustAnchors: keys.trustAnchors,
      receiptSigner: keys.receipt,
      origins: [...(settings.origins ?? []), ...o.origins],
      log: o.log,
    });
  } catch (err) {
    await store.close();
    throw new CommandFailure(say(m.startFailed, lang, { detail: (err as Error).message }), 1);
  }
  if (o.insecureHttpDev) process.stderr.write(`${say(m.insecureWarning, lang)}\n`);
  process.stdout.write(
    o.json
      ? `${JSON.stringify({ url: platform.url })}\n`
      : `${say(m.listening, lang, { url: platform.url })}\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await platform.close();
  await store.close();
  if (!o.json) process.stdout.write(`${say(m.stopped, lang)}\n`);
}
