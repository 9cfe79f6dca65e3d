/**
 * The command-line plumbing `niem`'s two dispatchers share (cli/main.ts for the token and
 * package commands, cli/commands/profile-command.ts for the vault): parsing argv (an
 * invalid command line is exit 2 with the usage), and turning a CommandFailure into its
 * message and exit code.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { cliMessages, say, type Lang } from './cli-messages.ts';
import { CommandFailure } from './token-prompt.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>
>;

/** Tells the clerk (stderr) the command is invalid, naming `detail`, then the usage; 2. */
export function invalidCommand(
  lang: Lang,
  detail: string,
  usageText: { vi: string; en: string },
): number {
  process.stderr.write(`${say(cliMessages.usageError, lang, { detail })}\n\n`);
  process.stderr.write(`${say(usageText, lang)}\n`);
  return 2;
}

/** `argv` parsed with `options` (positionals allowed); undefined once told invalid. */
export function parseCommandLine<O extends Options>(
  argv: string[],
  options: O,
  lang: Lang,
  usageText: { vi: string; en: string },
): Parsed<O> | undefined {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true });
  } catch (err) {
    invalidCommand(lang, (err as Error).message, usageText);
    return undefined;
  }
}

/**
 * The exit code of a command that threw: a CommandFailure's message goes to stderr (and
 * its error, with --json, to stdout as `{ "error": … }`); anything else is rethrown.
 */
export function failureExit(err: unknown, json: boolean | undefined): number {
  if (!(err instanceof CommandFailure)) throw err;
  if (json && err.wire) process.stdout.write(`${JSON.stringify({ error: err.wire })}\n`);
  process.stderr.write(`${err.message}\n`);
  return err.exitCode;
}
