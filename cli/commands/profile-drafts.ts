/**
 * `niem init`, `niem directory import`, `niem draft create|list`, `niem seal DRAFT_ID`:
 * setting up a profile's vault and preparing and sealing drafts in it.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { NiemError } from '../../native/api/errors.ts';
import { isLevelCode, isUrgencyCode, levels, type UrgencyCode } from '../../native/seal/levels.ts';
import {
  SealRefused,
  createDraft,
  importDirectory,
  initVault,
  listDrafts,
  recordSessionIdentity,
  sealDraft,
  signSessionCheckpoint,
  type DraftSummary,
} from '../../native/vault/index.ts';
import { cliMessages, say, type Lang } from '../cli-messages.ts';
import { CommandFailure } from '../token-prompt.ts';
import { assertReadableFile, readCertificates, readInputFile } from '../cli-files.ts';
import { profileMessages } from './profile-messages.ts';
import {
  dateCell,
  levelName,
  renderTable,
  subjectCell,
  urgencyName,
  type Column,
} from './profile-format.ts';
import {
  failure,
  langsOf,
  usage,
  withTokenSession,
  withVault,
  type ProfileOptions,
} from './profile-session.ts';

/** A positional id: a positive integer, else a usage failure. */
export function parseId(text: string | undefined, lang: Lang): number {
  if (text === undefined || !/^[1-9][0-9]{0,15}$/.test(text)) {
    throw new CommandFailure(say(profileMessages.badId, lang, { id: text ?? '' }), 2);
  }
  return Number(text);
}

/** `niem init --token LABEL [--recovery CERT.pem]`. */
export async function initCommand(
  options: ProfileOptions & { recovery?: string },
): Promise<string> {
  const { lang } = options;
  const recoveryCert =
    options.recovery === undefined
      ? undefined
      : (await readCertificates(options.recovery, lang))[0];
  try {
    return await withTokenSession(options, async (session) => {
      const sender = await session.sender();
      const vault = await initVault(options.profile, {
        holder: {
          certificate: sender.certificate,
          ...(sender.oaepHash === undefined ? {} : { oaepHash: sender.oaepHash }),
        },
        ...(recoveryCert === undefined ? {} : { recovery: { certificate: recoveryCert } }),
        actor: session.actor,
      });
      try {
        recordSessionIdentity(vault, session.who);
        await signSessionCheckpoint(vault, session.service);
      } finally {
        await vault.close();
      }
      return langsOf(lang)
        .map((l) =>
          say(profileMessages.initialised, l, {
            profile: options.profile,
            label: session.token.label,
            recovery: recoveryCert === undefined ? '' : profileMessages.withRecovery[l],
          }),
        )
        .join('\n');
    });
  } catch (err) {
    throw failure(err, lang);
  }
}

/** `niem directory import FILE`. */
export async function directoryImportCommand(
  options: ProfileOptions,
  file: string,
): Promise<string> {
  const { lang } = options;
  await assertReadableFile(file, lang);
  const text = (await readInputFile(file, lang)).toString('utf8');
  return withVault(options, async (vault) => {
    try {
      const result = importDirectory(vault, text);
      if (options.json) return JSON.stringify(result, null, 2);
      return say(profileMessages.directoryImported, lang, {
        added: result.added.length,
        replaced: result.replaced.length,
      });
    } catch (err) {
      if (err instanceof NiemError && err.kind === 'invalid-input') {
        throw new CommandFailure(
          say(profileMessages.directoryInvalid, lang, {
            path: file,
            detail: err.message.replace(/^directory: /, ''),
          }),
          1,
          { kind: err.kind, message: err.message },
        );
      }
      throw err;
    }
  });
}

/** `niem draft create --subject TEXT --level LEVEL --to ORGANID… [--urgency U] FILE…`. */
export async function draftCreateCommand(
  options: ProfileOptions & {
    subject?: string;
    level?: string;
    urgency?: string;
    to: string[];
    files: string[];
  },
): Promise<string> {
  const { lang } = options;
  if (options.subject === undefined || options.subject.trim() === '')
    throw usage(lang, '--subject');
  if (options.level === undefined || !isLevelCode(options.level)) {
    throw new CommandFailure(say(cliMessages.badLevel, lang), 2);
  }
  let urgency: UrgencyCode = 'thuong';
  if (options.urgency !== undefined) {
    if (
      !isUrgencyCode(options.urgency) ||
      !['khan', 'thuong-khan', 'hoa-toc'].includes(options.urgency)
    ) {
      throw new CommandFailure(say(profileMessages.badUrgency, lang), 2);
    }
    urgency = options.urgency;
  }
  if (options.to.length === 0) throw usage(lang, '--to');
  if (options.files.length === 0) throw usage(lang, 'FILE…');
  for (const file of options.files) await assertReadableFile(file, lang);
  const { subject, level, to, files } = {
    ...options,
    level: options.level,
    subject: options.subject,
  };
  return withVault(options, async (vault) => {
    const id = await createDraft(vault, {
      subject,
      level,
      urgency,
      recipients: to,
      documents: files.map((f) => ({
        name: basename(f).normalize('NFC'),
        content: createReadStream(f) as AsyncIterable<Buffer>,
      })),
    });
    if (options.json) return JSON.stringify({ id });
    return say(profileMessages.draftCreated, lang, { id });
  });
}

const draftColumns: Column<DraftSummary>[] = [
  ['id', (d) => String(d.id)],
  ['level', (d, l) => levelName(d.level, l)],
  ['urgency', (d, l) => urgencyName(d.urgency, l)],
  ['recipients', (d) => d.recipients.join(', ')],
  ['documents', (d) => String(d.documentCount)],
  ['date', (d) => dateCell(d.updatedAt)],
  ['subject', (d, l) => subjectCell(d.subject, d.level, l)],
];

/** `niem draft list [--json]`. */
export async function draftListCommand(options: ProfileOptions): Promise<string> {
  return withVault(options, async (vault) => {
    const drafts = listDrafts(vault, { limit: 500 });
    if (options.json) return JSON.stringify({ drafts }, null, 2);
    return renderTable(drafts, draftColumns, options.lang);
  });
}

function refusal(err: SealRefused, lang: Lang): CommandFailure {
  const params = (l: 'vi' | 'en') => ({
    organId: err.organId,
    name: err.agencyName ?? err.organId,
    clearance: err.clearance === undefined ? '?' : levels[err.clearance][l],
    level: levels[err.level][l],
  });
  const message =
    err.reason === 'clearance'
      ? profileMessages.refusedClearance
      : err.reason === 'no-certificate'
        ? profileMessages.refusedNoCertificate
        : profileMessages.refusedUnknown;
  const text =
    lang === 'both'
      ? `${say(message, 'vi', params('vi'))}\n${say(message, 'en', params('en'))}`
      : say(message, lang, params(lang));
  return new CommandFailure(text, 1, { kind: err.kind, message: err.message });
}

/** `niem seal DRAFT_ID`: seals the draft into the outbox. */
export async function sealDraftCommand(options: ProfileOptions, idText: string): Promise<string> {
  const { lang } = options;
  const draftId = parseId(idText, lang);
  return withVault(options, async (vault, session) => {
    try {
      const sealed = await sealDraft(vault, draftId, {
        signer: await session.signer(),
        sender: await session.sender(),
      });
      if (options.json) return JSON.stringify(sealed, null, 2);
      return say(profileMessages.sealedDraft, lang, {
        draft: draftId,
        id: sealed.outboxId,
        number: sealed.register.number,
        year: sealed.register.year,
        level: levels[sealed.level][lang === 'en' ? 'en' : 'vi'],
        bytes: sealed.bytes,
        sha: sealed.packageSha256,
      });
    } catch (err) {
      if (err instanceof SealRefused) throw refusal(err, lang);
      throw err;
    }
  });
}
