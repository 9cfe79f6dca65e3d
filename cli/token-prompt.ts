/**
 * What the token-facing CLI commands share: the failure that ends a command (a usage
 * failure, exit 2, or an operation's failure in the kind's vi/en text, exit 1), picking a
 * token by label (or serial, or id), and reading a PIN or passphrase from the environment
 * or a hidden prompt. A secret is never taken from argv.
 */
import type { TokenInfo } from '../native/api/contract.ts';
import { toWireError, type WireError } from '../native/api/errors.ts';
import { cliMessages, describeError, say, type Lang } from './cli-messages.ts';
import { readHiddenLine } from './pin-prompt.ts';

/** Thrown to end the command with a clerk-facing message and an exit code. */
export class CommandFailure extends Error {
  readonly exitCode: number;
  readonly wire: WireError | undefined;
  constructor(message: string, exitCode: number, wire?: WireError) {
    super(message);
    this.exitCode = exitCode;
    this.wire = wire;
  }
}

/** A usage failure (exit 2) naming what is missing or wrong. */
export const usage = (lang: Lang, detail: string): CommandFailure =>
  new CommandFailure(say(cliMessages.usageError, lang, { detail }), 2);

/** A failure of the operation: the kind's vi/en text, exit 1 (a CommandFailure stays as it is). */
export function failure(err: unknown, lang: Lang): CommandFailure {
  if (err instanceof CommandFailure) return err;
  const wire = toWireError(err);
  return new CommandFailure(describeError(wire, lang), 1, wire);
}

/** The languages to print, one block each. */
export const langsOf = (lang: Lang): ('vi' | 'en')[] => (lang === 'both' ? ['vi', 'en'] : [lang]);

/** Environment variables a secret may come from. */
export type SecretVariable =
  'NIEM_PIN' | 'NIEM_NEW_PIN' | 'NIEM_OLD_PIN' | 'NIEM_RECOVERY_PASSPHRASE';

/**
 * The secret in `variable`, or typed hidden on the terminal; without either, a usage
 * failure saying `missing`.
 */
export async function readSecret(
  variable: SecretVariable,
  prompt: { vi: string; en: string },
  missing: { vi: string; en: string },
  lang: Lang,
  params: Record<string, string> = {},
): Promise<string> {
  const fromEnv = process.env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) throw new CommandFailure(say(missing, lang, params), 2);
  return readHiddenLine(say(prompt, lang === 'en' ? 'en' : 'vi', params));
}

/** The PIN from `variable`, or typed hidden on the terminal; a usage failure if neither. */
export async function readPin(
  variable: 'NIEM_PIN' | 'NIEM_NEW_PIN' | 'NIEM_OLD_PIN',
  prompt: { vi: string; en: string },
  lang: Lang,
  params: Record<string, string> = {},
): Promise<string> {
  const missing = variable === 'NIEM_OLD_PIN' ? cliMessages.noOldPin : cliMessages.noPin;
  return readSecret(variable, prompt, missing, lang, params);
}

/** The token named by `wanted`: its label, else its serial or id; refuses none or several. */
export function pickToken(tokens: TokenInfo[], wanted: string, lang: Lang): TokenInfo {
  const byLabel = tokens.filter((t) => t.label === wanted);
  if (byLabel.length === 1 && byLabel[0]) return byLabel[0];
  const other = tokens.filter((t) => t.serial === wanted || t.id === wanted);
  if (byLabel.length === 0 && other.length === 1 && other[0]) return other[0];
  if (byLabel.length > 1)
    throw new CommandFailure(say(cliMessages.tokenAmbiguous, lang, { label: wanted }), 1);
  throw new CommandFailure(say(cliMessages.tokenNotFound, lang, { label: wanted }), 1, {
    kind: 'token-absent',
    message: 'no token with that label',
  });
}
