/**
 * What the token-facing CLI commands share: the failure that ends a command, picking a
 * token by label (or serial, or id), and reading a PIN from the environment or a hidden
 * prompt. A PIN is never taken from argv.
 */
import type { TokenInfo } from '../native/api/contract.ts';
import type { WireError } from '../native/api/errors.ts';
import { cliMessages, say, type Lang } from './cli-messages.ts';
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

/** The PIN from `variable`, or typed hidden on the terminal; a usage failure if neither. */
export async function readPin(
  variable: 'NIEM_PIN' | 'NIEM_NEW_PIN',
  prompt: { vi: string; en: string },
  lang: Lang,
  params: Record<string, string> = {},
): Promise<string> {
  const fromEnv = process.env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) throw new CommandFailure(say(cliMessages.noPin, lang), 2);
  return readHiddenLine(say(prompt, lang === 'en' ? 'en' : 'vi', params));
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
