/**
 * `niem outbox list|export`, `niem inbox import|list`: the sealed packages of a profile's
 * vault, going out and coming in (`niem open ID` and the other inbox commands are in
 * ./profile-inbox.ts).
 */
import { createReadStream } from 'node:fs';
import { levels } from '../../native/seal/levels.ts';
import {
  exportOutboxPackage,
  getOutbox,
  importInbox,
  listInbox,
  listOutbox,
  type InboxSummary,
  type OutboxSummary,
} from '../../native/vault/index.ts';
import { say } from '../cli-messages.ts';
import { assertReadableFile, writeNewFile } from '../cli-files.ts';
import { CommandFailure } from '../token-prompt.ts';
import { profileMessages } from './profile-messages.ts';
import { parseId } from './profile-drafts.ts';
import { dateCell, levelName, renderTable, subjectCell, type Column } from './profile-format.ts';
import { langsOf, usage, withVault, type ProfileOptions } from './profile-session.ts';
import { outboxStateCell } from './profile-sync.ts';

const register = (r: { year: number; number: number } | null): string =>
  r === null ? '' : `${r.number}/${r.year}`;

const outboxColumns: Column<OutboxSummary>[] = [
  ['id', (o) => String(o.id)],
  ['level', (o, l) => levelName(o.level, l)],
  ['register', (o) => register(o.register)],
  ['state', (o, l) => outboxStateCell(o, l)],
  ['recipients', (o) => o.recipients.join(', ')],
  ['date', (o) => dateCell(o.createdAt)],
  ['subject', (o, l) => subjectCell(o.subject, o.level, l)],
];

/** `niem outbox list [--json]`. */
export async function outboxListCommand(options: ProfileOptions): Promise<string> {
  return withVault(options, async (vault) => {
    const outbox = listOutbox(vault, { limit: 500 });
    if (options.json) return JSON.stringify({ outbox }, null, 2);
    return renderTable(outbox, outboxColumns, options.lang);
  });
}

/** `niem outbox export ID --out FILE`: the sealed package, as it will be sent. */
export async function outboxExportCommand(
  options: ProfileOptions & { out?: string },
  idText: string,
): Promise<string> {
  const { lang } = options;
  const id = parseId(idText, lang);
  if (!options.out) throw usage(lang, '--out');
  const out = options.out;
  return withVault(options, async (vault) => {
    getOutbox(vault, id);
    const bytes = await writeNewFile(
      out,
      exportOutboxPackage(vault, id),
      new CommandFailure(say(profileMessages.outExists, lang, { path: out }), 1),
    );
    if (options.json) return JSON.stringify({ id, path: out, bytes });
    return say(profileMessages.exported, lang, { id, path: out, bytes });
  });
}

/** `niem inbox import PKG.p7m`. */
export async function inboxImportCommand(options: ProfileOptions, file: string): Promise<string> {
  const { lang } = options;
  await assertReadableFile(file, lang);
  return withVault(options, async (vault) => {
    const imported = await importInbox(vault, createReadStream(file) as AsyncIterable<Buffer>);
    if (options.json) return JSON.stringify(imported, null, 2);
    return langsOf(lang)
      .map((l) =>
        say(profileMessages.imported, l, {
          id: imported.id,
          level: levels[imported.level][l],
          sha: imported.packageSha256,
        }),
      )
      .join('\n');
  });
}

const inboxColumns: Column<InboxSummary>[] = [
  ['id', (i) => String(i.id)],
  ['level', (i, l) => levelName(i.level, l)],
  ['register', (i) => register(i.register)],
  ['state', (i, l) => (i.status === null ? '' : profileMessages.status[l][i.status])],
  ['sender', (i) => i.senderOrganId ?? ''],
  ['date', (i) => dateCell(i.receivedAt)],
  ['subject', (i, l) => subjectCell(i.subject, i.level, l, i.openedAt !== null)],
];

/** `niem inbox list [--json]`. */
export async function inboxListCommand(options: ProfileOptions): Promise<string> {
  return withVault(options, async (vault) => {
    const inbox = listInbox(vault, { limit: 500 });
    if (options.json) return JSON.stringify({ inbox }, null, 2);
    return renderTable(inbox, inboxColumns, options.lang);
  });
}
