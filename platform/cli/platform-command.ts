/**
 * `niem platform …`: the reference exchange platform's commands (init, serve, admin),
 * parsed and dispatched here. cli/main.ts hands over every invocation whose first word is
 * `platform`; the server and store modules load only when a command runs, so the rest of
 * the CLI does not pay for them. Messages are Vietnamese unless `--lang en` (or NIEM_LANG=en).
 * Exit codes: 0 done, 1 the operation failed (message says why), 2 invalid command.
 */
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { describeError, say, type Lang } from '../../cli/cli-messages.ts';
import { failureExit, invalidCommand, parseCommandLine } from '../../cli/command-line.ts';
import { CommandFailure } from '../../cli/token-prompt.ts';
import { NiemError, toWireError } from '../../native/api/errors.ts';
import { platformMessages as m } from './platform-messages.ts';
import type { PlatformCommon } from './serve-command.ts';

const options = {
  data: { type: 'string' },
  database: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  origin: { type: 'string', multiple: true },
  'insecure-http-dev': { type: 'boolean', default: false },
  log: { type: 'boolean', default: false },
  trust: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'receipt-cert': { type: 'string' },
  'receipt-key': { type: 'string' },
  name: { type: 'string' },
  'approved-level': { type: 'string' },
  'organ-id': { type: 'string' },
  clearance: { type: 'string' },
  'key-transport': { type: 'string' },
  'chunk-bytes': { type: 'string' },
  json: { type: 'boolean', default: false },
  lang: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

/** Default port of `serve`. */
export const DEFAULT_PORT = 8443;

/** Whether `argv` is a platform command: its first word (not an option's value) is `platform`. */
export function isPlatformCommand(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--lang') {
      i += 1;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return arg === 'platform';
  }
  return false;
}

/** The platform commands' language: English only when asked, else Vietnamese. */
function langOf(argv: readonly string[]): Lang {
  const asked = argv.find((_a, i) => argv[i - 1] === '--lang') ?? process.env.NIEM_LANG;
  return asked === 'en' ? 'en' : 'vi';
}

function required(value: string | undefined, option: string, lang: Lang): string {
  if (value === undefined || value === '') {
    throw new CommandFailure(say(m.missingOption, lang, { option }), 2);
  }
  return value;
}

function portOf(value: string | undefined, lang: Lang): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^[0-9]{1,5}$/.test(value) || port > 65535) {
    throw new CommandFailure(say(m.badValue, lang, { option: '--port', detail: value }), 2);
  }
  return port;
}

/** Runs `niem platform …` (argv including the word `platform`); resolves to the exit code. */
export async function runPlatformCommand(argv: string[]): Promise<number> {
  const lang = langOf(argv);
  const parsed = parseCommandLine(argv, options, lang, m.usage);
  if (parsed === undefined) return 2;
  const { values, positionals } = parsed;
  const [, command, ...words] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${say(m.usage, lang)}\n`);
    return values.help ? 0 : 2;
  }
  try {
    const common: PlatformCommon = {
      dir: resolve(required(values.data, '--data', lang)),
      database: values.database,
      lang,
      json: values.json,
    };
    if (command === 'serve' && words.length === 0) {
      const { serveCommand } = await import('./serve-command.ts');
      await serveCommand({
        ...common,
        host: values.host ?? '127.0.0.1',
        port: portOf(values.port, lang),
        origins: values.origin ?? [],
        insecureHttpDev: values['insecure-http-dev'],
        log: values.log,
      });
      return 0;
    }
    if (command === 'init' && words.length === 0) {
      const { initCommand, levelOption } = await import('./serve-command.ts');
      const level = values['approved-level'];
      const output = await initCommand({
        ...common,
        trust: required(values.trust, '--trust', lang),
        tlsCert: required(values['tls-cert'], '--tls-cert', lang),
        tlsKey: required(values['tls-key'], '--tls-key', lang),
        receiptCert: required(values['receipt-cert'], '--receipt-cert', lang),
        receiptKey: required(values['receipt-key'], '--receipt-key', lang),
        name: values.name,
        approvedLevel: level === undefined ? undefined : levelOption(level, lang),
      });
      process.stdout.write(`${output}\n`);
      return 0;
    }
    if (command === 'admin') {
      const { adminCommand } = await import('./admin-command.ts');
      const output = await adminCommand(common, {
        words,
        organId: values['organ-id'],
        name: values.name,
        clearance: values.clearance,
        keyTransport: values['key-transport'],
        approvedLevel: values['approved-level'],
        chunkBytes: values['chunk-bytes'],
      });
      if (output !== undefined) {
        process.stdout.write(`${output}\n`);
        return 0;
      }
    }
  } catch (err) {
    if (err instanceof NiemError) {
      const text = `${describeError(toWireError(err), lang)} (${err.message})`;
      return failureExit(new CommandFailure(text, 1, toWireError(err)), values.json);
    }
    return failureExit(err, values.json);
  }
  return invalidCommand(lang, positionals.join(' '), m.usage);
}
