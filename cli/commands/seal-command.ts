/**
 * `niem seal`, `niem open`, `niem inspect`: sealed packages from the command line.
 *
 * The CLI is a headless, single-process tool: seal and open open the token here
 * (TokenService, ../token-session.ts) rather than through the native process, and hand it to the pipeline of
 * native/seal/pipeline through the small adapters there, which the native process will
 * use over the token host later. The PIN comes from NIEM_PIN or a hidden prompt, never argv.
 */
import { isLevelCode, levels, type LevelCode } from '../../native/seal/levels.ts';
import {
  PackageRefused,
  inspectPackage,
  openPackage,
  removePartialsNow,
  sealPackage,
  sealSignedPackage,
  signPackage,
  tokenRecipientKeys,
  tokenSenderRecipient,
  tokenSigner,
  type InspectedPackage,
  type PackageReport,
  type SealedPackage,
} from '../../native/seal/pipeline/index.ts';
import type { VerificationReport } from '../../native/seal/signed-data/index.ts';
import { cliMessages, say, type Lang } from '../cli-messages.ts';
import { formatDateTime } from '../cli-dates.ts';
import {
  assertReadableFile,
  readCertificates,
  readMetadata,
  readOneCertificate,
} from '../cli-files.ts';
import { CommandFailure, failure, langsOf, usage } from '../token-prompt.ts';
import { withSignedInToken } from '../token-session.ts';

interface Common {
  json: boolean;
  lang: Lang;
  module?: string;
}

export interface SealCommandOptions extends Common {
  token?: string;
  to: string[];
  toOaepSha1: string[];
  level?: string;
  meta?: string;
  chain: string[];
  out?: string;
  files: string[];
  /** A body signed by `niem sign`: co-sign it and seal it (no files then). */
  signed?: string;
  /** Trust anchors for the signed body's signers (with `signed`). */
  trust?: string[];
}

export interface SignCommandOptions extends Common {
  token?: string;
  level?: string;
  meta?: string;
  chain: string[];
  out?: string;
  files: string[];
}

export interface OpenCommandOptions extends Common {
  token?: string;
  trust: string[];
  out?: string;
  path: string;
}

export interface InspectCommandOptions extends Common {
  path: string;
}

/** Exit codes of a seal / open ended by a signal: 128 + the signal number. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Runs `work` with SIGINT / SIGTERM handlers that remove the partial output being
 * written (`PKG.p7m.partial`, `DIR/.partial-*`, and DIR itself when this run created it)
 * and exit 130 / 143. A SIGKILL cannot be caught: what it leaves is swept by the next
 * seal or open into the same place (native/seal/pipeline/partial-files.ts).
 */
async function cleaningUpOnSignal<T>(work: () => Promise<T>): Promise<T> {
  const handlers = (Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]).map((signal) => {
    const handler = (): void => {
      removePartialsNow();
      process.exit(SIGNAL_EXIT[signal]);
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  try {
    return await work();
  } finally {
    for (const off of handlers) off();
  }
}

function levelName(level: LevelCode | undefined, l: 'vi' | 'en'): string {
  return level === undefined ? cliMessages.notStated[l] : `${levels[level][l]} (${level})`;
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => [...k].length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

/** `niem sign`: the competent person's signature over the files, not sealed. */
export async function signCommand(options: SignCommandOptions): Promise<string> {
  const { lang } = options;
  if (!options.token) throw usage(lang, '--token');
  if (!options.out) throw usage(lang, '--out');
  if (options.level === undefined || !isLevelCode(options.level)) {
    throw new CommandFailure(say(cliMessages.badLevel, lang), 2);
  }
  if (options.files.length === 0) throw usage(lang, 'FILE…');
  for (const file of options.files) await assertReadableFile(file, lang);
  const { level, out, token } = { level: options.level, out: options.out, token: options.token };
  try {
    const metadata = await readMetadata(options.meta, lang);
    const chain = (await Promise.all(options.chain.map((p) => readCertificates(p, lang)))).flat();
    const signed = await cleaningUpOnSignal(() =>
      withSignedInToken(options, token, async (service) =>
        signPackage({
          files: options.files,
          ...(metadata ? { metadata } : {}),
          level,
          signers: [await tokenSigner(service)],
          certificates: chain,
          out,
        }),
      ),
    );
    if (options.json) return JSON.stringify(signed, null, 2);
    return langsOf(lang)
      .map((l) =>
        say(cliMessages.signedBody, l, {
          count: signed.manifest.documents.length,
          path: signed.path,
          bytes: signed.bytes,
          level: levelName(level, l),
        }),
      )
      .join('\n');
  } catch (err) {
    throw failure(err, lang);
  }
}

export async function sealCommand(options: SealCommandOptions): Promise<string> {
  const { lang } = options;
  if (!options.token) throw usage(lang, '--token');
  if (!options.out) throw usage(lang, '--out');
  if (options.level === undefined || !isLevelCode(options.level)) {
    throw new CommandFailure(say(cliMessages.badLevel, lang), 2);
  }
  const signed = options.signed;
  if (signed !== undefined) {
    if (options.files.length > 0 || options.meta !== undefined) {
      throw new CommandFailure(say(cliMessages.signedWithFiles, lang), 2);
    }
    if ((options.trust ?? []).length === 0) {
      throw new CommandFailure(say(cliMessages.noTrustAnchors, lang), 2);
    }
  } else if (options.files.length === 0) throw usage(lang, 'FILE…');
  if (options.to.length + options.toOaepSha1.length === 0) throw usage(lang, '--to');
  for (const file of signed === undefined ? options.files : [signed]) {
    await assertReadableFile(file, lang);
  }
  const level = options.level;
  const out = options.out;
  const token = options.token;
  try {
    const metadata = await readMetadata(options.meta, lang);
    const recipients = [
      ...(await Promise.all(
        options.to.map(async (p) => ({ certificate: await readOneCertificate(p, lang) })),
      )),
      ...(await Promise.all(
        options.toOaepSha1.map(async (p) => ({
          certificate: await readOneCertificate(p, lang),
          oaepHash: 'sha1' as const,
        })),
      )),
    ];
    const chain = (await Promise.all(options.chain.map((p) => readCertificates(p, lang)))).flat();
    const trustAnchors = (
      await Promise.all((options.trust ?? []).map((p) => readCertificates(p, lang)))
    ).flat();
    const sealed: SealedPackage & { body?: VerificationReport } = await cleaningUpOnSignal(() =>
      withSignedInToken(options, token, async (service) => {
        const common = {
          level,
          signers: [await tokenSigner(service)],
          certificates: chain,
          sender: await tokenSenderRecipient(service),
          recipients,
          out,
        };
        return signed === undefined
          ? sealPackage({ ...common, files: options.files, ...(metadata ? { metadata } : {}) })
          : sealSignedPackage({ ...common, signed, trustAnchors });
      }),
    );
    if (options.json) return JSON.stringify(sealed, null, 2);
    const firstSigners = (sealed.body?.signers ?? [])
      .map((s) => `${s.commonName ?? '?'} #${s.serialNumber ?? '?'}`)
      .join(', ');
    return langsOf(lang)
      .map((l) =>
        [
          ...(sealed.body ? [say(cliMessages.cosigned, l, { signers: firstSigners })] : []),
          say(cliMessages.sealed, l, {
            count: sealed.manifest.documents.length,
            path: sealed.path,
            bytes: sealed.bytes,
            level: levelName(level, l),
            recipients: sealed.recipients.length,
          }),
          ...sealed.recipients.map((r) => `  ${r.subject} #${r.serial} (${r.keyType})`),
        ].join('\n'),
      )
      .join('\n\n');
  } catch (err) {
    throw failure(err, lang);
  }
}

/** The verification report as a human table, in one language. */
export function formatReport(report: PackageReport, l: 'vi' | 'en', pkg: string): string {
  const h = cliMessages.report[l];
  const w = cliMessages.words[l];
  const rows: [string, string][] = [
    [h.package, pkg],
    [
      h.formatVersion,
      report.formatVersion === undefined ? cliMessages.notStated[l] : String(report.formatVersion),
    ],
  ];
  if (report.openedWith) {
    rows.push([
      h.openedWith,
      `${report.openedWith.subject} #${report.openedWith.serial} (${report.openedWith.type})`,
    ]);
  }
  rows.push([h.tag, w[report.tag]]);
  rows.push([h.levelOutside, levelName(report.levels.outside, l)]);
  rows.push([h.levelInside, levelName(report.levels.inside, l)]);
  if (report.content === 'niem-body')
    rows.push([h.levelManifest, levelName(report.levels.manifest, l)]);
  rows.push([h.levelsAgree, report.levels.agree ? w.yes : w.no]);
  const signers = report.signedData?.signers ?? [];
  signers.forEach((s, i) => {
    const problem = s.chain.problem;
    const validity =
      problem === 'expired' || problem === 'not-yet-valid'
        ? w.invalid
        : s.chain.path.length > 0
          ? w.valid
          : w['not-reached'];
    const keyUsage =
      problem === 'key-usage' ? w.invalid : s.chain.path.length > 0 ? w.valid : w['not-reached'];
    rows.push([`${h.signer} ${i + 1}`, s.commonName ?? '?']);
    rows.push([
      `  ${h.organization}`,
      [s.organization, s.organizationIdentifier].filter(Boolean).join(' — ') || '?',
    ]);
    rows.push([`  ${h.serial}`, s.serialNumber ?? '?']);
    rows.push([
      `  ${h.signingTime}`,
      s.signingTime ? formatDateTime(s.signingTime) : cliMessages.notStated[l],
    ]);
    rows.push([
      `  ${h.signature}`,
      `${w[s.signature]} (${s.signatureAlgorithm}, ${s.digestAlgorithm})`,
    ]);
    rows.push([`  ${h.signingCertificate}`, w[s.signingCertificate]]);
    rows.push([
      `  ${h.chain}`,
      s.chain.status === 'valid'
        ? `${w.valid} (${s.chain.path.join(' → ')})`
        : `${w.untrusted}: ${s.chain.reason ?? s.chain.problem ?? ''}`,
    ]);
    rows.push([`  ${h.validity}`, validity]);
    rows.push([`  ${h.keyUsage}`, keyUsage]);
    rows.push([`  ${h.revocation}`, w['not-checked']]);
    rows.push([`  ${h.result}`, w[s.verdict]]);
  });
  report.documents.forEach((d, i) => {
    rows.push([i === 0 ? h.documents : '', `${d.name} (${d.size} ${w.bytes}, ${d.mediaType})`]);
  });
  rows.push([
    h.result,
    report.committed ? `${w.opened} — ${h.outDir} ${report.outDir}` : w.refused,
  ]);
  const lines = [table(rows)];
  if (report.notice === 'foreign-content') lines.push(cliMessages.foreignNotice[l]);
  return lines.join('\n');
}

function reportText(report: PackageReport, lang: Lang, pkg: string): string {
  return langsOf(lang)
    .map((l) => formatReport(report, l, pkg))
    .join('\n\n');
}

export async function openCommand(options: OpenCommandOptions): Promise<string> {
  const { lang } = options;
  if (!options.token) throw usage(lang, '--token');
  if (!options.out) throw usage(lang, '--out');
  if (options.trust.length === 0)
    throw new CommandFailure(say(cliMessages.noTrustAnchors, lang), 2);
  const outDir = options.out;
  await assertReadableFile(options.path, lang);
  try {
    const trustAnchors = (
      await Promise.all(options.trust.map((p) => readCertificates(p, lang)))
    ).flat();
    const token = options.token;
    const report = await cleaningUpOnSignal(() =>
      withSignedInToken(options, token, async (service) =>
        openPackage({
          path: options.path,
          keys: await tokenRecipientKeys(service),
          trustAnchors,
          outDir,
        }),
      ),
    );
    if (options.json) return JSON.stringify({ report }, null, 2);
    return reportText(report, lang, options.path);
  } catch (err) {
    const fail = failure(err, lang);
    if (err instanceof PackageRefused) {
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ report: err.report, error: fail.wire }, null, 2)}\n`,
        );
        throw new CommandFailure(fail.message, 1);
      }
      process.stdout.write(`${reportText(err.report, lang, options.path)}\n`);
    }
    throw fail;
  }
}

function formatInspect(p: InspectedPackage, l: 'vi' | 'en'): string {
  const h = cliMessages.report[l];
  const w = cliMessages.words[l];
  const rows: [string, string][] = [
    [h.package, p.path],
    [
      h.formatVersion,
      p.formatVersion === undefined ? cliMessages.notStated[l] : String(p.formatVersion),
    ],
    [
      h.levelOutside,
      p.level === undefined
        ? cliMessages.notStated[l]
        : `${levelName(p.level, l)} — ${w.unverified}`,
    ],
    [h.size, `${p.size} ${w.bytes}`],
  ];
  p.recipients.forEach((r, i) => {
    const who =
      r.issuer !== undefined
        ? `${r.issuer} #${r.serial ?? ''}`
        : `SKI ${r.subjectKeyIdentifier ?? '?'}`;
    rows.push([i === 0 ? h.recipients : '', `${who} (${r.type}: ${r.description})`]);
  });
  return table(rows);
}

export async function inspectCommand(options: InspectCommandOptions): Promise<string> {
  await assertReadableFile(options.path, options.lang);
  try {
    const inspected = await inspectPackage(options.path);
    if (options.json) return JSON.stringify(inspected, null, 2);
    return langsOf(options.lang)
      .map((l) => formatInspect(inspected, l))
      .join('\n\n');
  } catch (err) {
    throw failure(err, options.lang);
  }
}
