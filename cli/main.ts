/**
 * The `niem` CLI: the headless client over the same native code as the app.
 * Exit codes: 0 done, 1 the operation failed (message says why), 2 invalid command.
 */
import type { ParseArgsConfig } from 'node:util';
import { cliMessages, say, type Lang } from './cli-messages.ts';
import { failureExit, invalidCommand, parseCommandLine } from './command-line.ts';
import { inspectCommand, openCommand, sealCommand, signCommand } from './commands/seal-command.ts';
import { tokenChangePin, tokenList, tokenLogin } from './commands/token-command.ts';
import { isProfileCommand, runProfileCommand } from './commands/profile-command.ts';
import { profileMessages } from './commands/profile-messages.ts';
import { usage } from './token-prompt.ts';
import { isPlatformCommand, runPlatformCommand } from '../platform/cli/platform-command.ts';

const options = {
  json: { type: 'boolean', default: false },
  module: { type: 'string' },
  token: { type: 'string' },
  lang: { type: 'string' },
  to: { type: 'string', multiple: true },
  'to-oaep-sha1': { type: 'string', multiple: true },
  level: { type: 'string' },
  meta: { type: 'string' },
  chain: { type: 'string', multiple: true },
  trust: { type: 'string', multiple: true },
  signed: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

async function run(argv: string[]): Promise<number> {
  const langArg = argv.find((a, i) => argv[i - 1] === '--lang') ?? process.env.NIEM_LANG;
  const lang: Lang = langArg === 'vi' || langArg === 'en' ? langArg : 'both';
  if (argv.some((a) => a === '--pin' || a.startsWith('--pin='))) {
    process.stderr.write(`${say(cliMessages.pinFromArgv, lang)}\n`);
    return 2;
  }
  // The exchange platform's commands (serve, init, admin): platform/cli/platform-command.ts.
  if (isPlatformCommand(argv)) return runPlatformCommand(argv);
  // The vault (profile) commands parse and dispatch on their own: cli/commands/profile-*.ts.
  if (isProfileCommand(argv)) return runProfileCommand(argv, lang);
  const parsed = parseCommandLine(argv, options, lang, cliMessages.usage);
  if (parsed === undefined) return 2;
  const { values, positionals } = parsed;
  const [group, command] = positionals;
  if (values.help || !group) {
    process.stdout.write(
      `${say(cliMessages.usage, lang)}\n\n${say(profileMessages.usage, lang)}\n`,
    );
    return values.help ? 0 : 2;
  }
  const common = {
    json: values.json ?? false,
    lang,
    ...(values.module ? { module: values.module } : {}),
  };
  try {
    if (group === 'token' && command === 'list' && positionals.length === 2) {
      process.stdout.write(`${await tokenList(common)}\n`);
      return 0;
    }
    if (group === 'token' && command === 'change-pin' && positionals.length === 2) {
      if (!values.token) throw usage(lang, '--token');
      process.stdout.write(`${await tokenChangePin({ ...common, token: values.token })}\n`);
      return 0;
    }
    if (group === 'token' && command === 'login' && positionals.length === 2) {
      if (!values.token) throw usage(lang, '--token');
      process.stdout.write(`${await tokenLogin({ ...common, token: values.token })}\n`);
      return 0;
    }
    if (group === 'seal') {
      const output = await sealCommand({
        ...common,
        ...(values.token ? { token: values.token } : {}),
        to: values.to ?? [],
        toOaepSha1: values['to-oaep-sha1'] ?? [],
        ...(values.level !== undefined ? { level: values.level } : {}),
        ...(values.meta !== undefined ? { meta: values.meta } : {}),
        chain: values.chain ?? [],
        ...(values.out !== undefined ? { out: values.out } : {}),
        files: positionals.slice(1),
        ...(values.signed !== undefined ? { signed: values.signed } : {}),
        trust: values.trust ?? [],
      });
      process.stdout.write(`${output}\n`);
      return 0;
    }
    if (group === 'sign') {
      const output = await signCommand({
        ...common,
        ...(values.token ? { token: values.token } : {}),
        ...(values.level !== undefined ? { level: values.level } : {}),
        ...(values.meta !== undefined ? { meta: values.meta } : {}),
        chain: values.chain ?? [],
        ...(values.out !== undefined ? { out: values.out } : {}),
        files: positionals.slice(1),
      });
      process.stdout.write(`${output}\n`);
      return 0;
    }
    if (group === 'open' && command !== undefined && positionals.length === 2) {
      const output = await openCommand({
        ...common,
        ...(values.token ? { token: values.token } : {}),
        trust: values.trust ?? [],
        ...(values.out !== undefined ? { out: values.out } : {}),
        path: command,
      });
      process.stdout.write(`${output}\n`);
      return 0;
    }
    if (group === 'inspect' && command !== undefined && positionals.length === 2) {
      process.stdout.write(`${await inspectCommand({ ...common, path: command })}\n`);
      return 0;
    }
  } catch (err) {
    return failureExit(err, values.json);
  }
  return invalidCommand(lang, positionals.join(' '), cliMessages.usage);
}

process.exitCode = await run(process.argv.slice(2));
