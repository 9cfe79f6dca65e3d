/**
 * The vault (profile) commands of `niem`: which invocations are theirs, their options and
 * the dispatch. cli/main.ts hands an invocation here when `isProfileCommand` says so;
 * everything else (token, seal with --to/--out, open of a package file, inspect) stays
 * with the commands there.
 */
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { say, type Lang } from '../cli-messages.ts';
import { failureExit, invalidCommand, parseCommandLine } from '../command-line.ts';
import { auditVerifyCommand } from './profile-audit.ts';
import { backupCommand, restoreCommand } from './profile-backup.ts';
import {
  inboxImportCommand,
  inboxListCommand,
  outboxExportCommand,
  outboxListCommand,
} from './profile-boxes.ts';
import {
  inboxExportCommand,
  inboxRefuseCommand,
  inboxShowCommand,
  inboxStatusCommand,
  openInboxCommand,
} from './profile-inbox.ts';
import {
  directoryImportCommand,
  draftCreateCommand,
  draftListCommand,
  initCommand,
  sealDraftCommand,
} from './profile-drafts.ts';
import { profileMessages } from './profile-messages.ts';
import { rewrapCommand } from './profile-rewrap.ts';
import {
  syncCommand,
  trustAddCommand,
  trustListCommand,
  trustRemoveCommand,
} from './profile-sync.ts';
import { profileDir, type ProfileOptions } from './profile-session.ts';

const options = {
  json: { type: 'boolean', default: false },
  module: { type: 'string' },
  token: { type: 'string' },
  lang: { type: 'string' },
  profile: { type: 'string' },
  recovery: { type: 'string' },
  'recovery-key': { type: 'string' },
  'old-token': { type: 'string' },
  subject: { type: 'string' },
  level: { type: 'string' },
  urgency: { type: 'string' },
  to: { type: 'string', multiple: true },
  'to-oaep-sha1': { type: 'string', multiple: true },
  trust: { type: 'string', multiple: true },
  reason: { type: 'string' },
  note: { type: 'string' },
  platform: { type: 'string' },
  'retry-failed': { type: 'boolean', default: false },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

/** For recognising invocations only: the other commands' value options, so their values are not taken for positionals. */
const detectOptions = {
  ...options,
  meta: { type: 'string' },
  chain: { type: 'string', multiple: true },
  signed: { type: 'string' },
} satisfies ParseArgsConfig['options'];

const GROUPS = new Set([
  'init',
  'directory',
  'draft',
  'outbox',
  'inbox',
  'audit',
  'backup',
  'restore',
  'rewrap',
  'sync',
  'trust',
]);

/**
 * Whether `argv` is a vault command: one of its groups; `seal` with exactly one positional
 * and no --to / --to-oaep-sha1 / --out (`niem seal DRAFT_ID`); `open` of a number that is
 * not an existing file (an existing path is the package-file form).
 */
export function isProfileCommand(argv: string[]): boolean {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: detectOptions,
      allowPositionals: true,
      strict: false,
    });
  } catch {
    return false;
  }
  const { values, positionals } = parsed;
  const [group, target] = positionals;
  if (group === undefined) return false;
  if (GROUPS.has(group)) return true;
  if (group === 'seal') {
    return (
      positionals.length === 2 &&
      values.to === undefined &&
      values['to-oaep-sha1'] === undefined &&
      values.out === undefined
    );
  }
  if (group === 'open') {
    return (
      positionals.length === 2 &&
      target !== undefined &&
      /^[0-9]+$/.test(target) &&
      !existsSync(target)
    );
  }
  return false;
}

async function dispatch(
  group: string,
  command: string | undefined,
  rest: string[],
  common: ProfileOptions,
  values: Record<string, string | boolean | string[] | undefined>,
): Promise<string | undefined> {
  const str = (name: string): string | undefined =>
    typeof values[name] === 'string' ? (values[name] as string) : undefined;
  const list = (name: string): string[] =>
    Array.isArray(values[name]) ? (values[name] as string[]) : [];
  const out = str('out');
  const withOut = out === undefined ? common : { ...common, out };
  const one = (args: string[]): string | undefined => (args.length === 1 ? args[0] : undefined);
  if (group === 'init' && command === undefined) {
    const recovery = str('recovery');
    return initCommand(recovery === undefined ? common : { ...common, recovery });
  }
  if (group === 'directory' && command === 'import' && one(rest)) {
    return directoryImportCommand(common, rest[0] as string);
  }
  if (group === 'draft' && command === 'create') {
    const picked = { subject: str('subject'), level: str('level'), urgency: str('urgency') };
    return draftCreateCommand({
      ...common,
      ...Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined)),
      to: list('to'),
      files: rest,
    });
  }
  if (group === 'draft' && command === 'list' && rest.length === 0) return draftListCommand(common);
  if (group === 'seal' && command !== undefined && rest.length === 0) {
    return sealDraftCommand(common, command);
  }
  if (group === 'outbox' && command === 'list' && rest.length === 0)
    return outboxListCommand(common);
  if (group === 'outbox' && command === 'export' && one(rest)) {
    return outboxExportCommand(withOut, rest[0] as string);
  }
  if (group === 'inbox' && command === 'import' && one(rest)) {
    return inboxImportCommand(common, rest[0] as string);
  }
  if (group === 'inbox' && command === 'list' && rest.length === 0) return inboxListCommand(common);
  if (group === 'inbox' && command === 'show' && one(rest)) {
    return inboxShowCommand(common, rest[0] as string);
  }
  if (group === 'inbox' && command === 'export' && one(rest)) {
    return inboxExportCommand(withOut, rest[0] as string);
  }
  if (group === 'inbox' && command === 'refuse' && one(rest)) {
    const reason = str('reason');
    return inboxRefuseCommand(
      reason === undefined ? common : { ...common, reason },
      rest[0] as string,
    );
  }
  if (group === 'inbox' && command === 'status' && rest.length === 2) {
    const note = str('note');
    const [id, code] = rest as [string, string];
    return inboxStatusCommand(note === undefined ? common : { ...common, note }, id, code);
  }
  if (group === 'open' && command !== undefined && rest.length === 0) {
    return openInboxCommand({ ...withOut, trust: list('trust') }, command);
  }
  if (group === 'sync' && command === undefined) {
    const platform = str('platform');
    return syncCommand({
      ...common,
      ...(platform === undefined ? {} : { platform }),
      trust: list('trust'),
      retryFailed: values['retry-failed'] === true,
    });
  }
  if (group === 'trust' && command === 'add') return trustAddCommand(common, rest);
  if (group === 'trust' && command === 'list' && rest.length === 0) return trustListCommand(common);
  if (group === 'trust' && command === 'remove' && one(rest)) {
    return trustRemoveCommand(common, rest[0] as string);
  }
  if (group === 'audit' && command === 'verify' && rest.length === 0) {
    return auditVerifyCommand(common);
  }
  if (group === 'backup' && command === undefined) return backupCommand(withOut);
  if (group === 'restore' && command !== undefined && rest.length === 0) {
    return restoreCommand(common, command);
  }
  if (group === 'rewrap' && command === undefined) {
    const picked = {
      recoveryKey: str('recovery-key'),
      recovery: str('recovery'),
      oldToken: str('old-token'),
    };
    return rewrapCommand({
      ...common,
      ...Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined)),
    });
  }
  return undefined;
}

/** Runs a vault command; resolves to the exit code (0 done, 1 failed, 2 invalid command). */
export async function runProfileCommand(argv: string[], lang: Lang): Promise<number> {
  const parsed = parseCommandLine(argv, options, lang, profileMessages.usage);
  if (parsed === undefined) return 2;
  const { values, positionals } = parsed;
  const [group = '', command, ...rest] = positionals;
  if (values.help) {
    process.stdout.write(`${say(profileMessages.usage, lang)}\n`);
    return 0;
  }
  const common: ProfileOptions = {
    lang,
    json: values.json,
    profile: profileDir(values.profile, process.env),
    ...(values.token ? { token: values.token } : {}),
    ...(values.module ? { module: values.module } : {}),
  };
  try {
    const output = await dispatch(group, command, rest, common, values);
    if (output === undefined)
      return invalidCommand(lang, positionals.join(' '), profileMessages.usage);
    process.stdout.write(`${output}\n`);
    return 0;
  } catch (err) {
    return failureExit(err, values.json);
  }
}
