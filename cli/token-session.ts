/**
 * Signing in on a token from the CLI, shared by the package commands (seal, sign, open)
 * and the vault commands: the configured PKCS#11 modules opened (a module that fails is
 * a warning), the token picked by label, its PIN read (NIEM_PIN or a hidden prompt, the
 * reader's keypad for a protected authentication path; never argv), the sign-in, and the
 * modules always closed at the end.
 *
 * The CLI is a headless, single-process tool: it opens the token here (TokenService)
 * rather than through the native process.
 */
import { NiemError } from '../native/api/errors.ts';
import type { TokenInfo } from '../native/api/contract.ts';
import { settingsPath } from '../native/service/settings.ts';
import { resolveModules } from '../native/token/module-config.ts';
import { TokenService } from '../native/token/token-service.ts';
import { cliMessages, say, type Lang } from './cli-messages.ts';
import { pickToken, readPin } from './token-prompt.ts';

/** Where the PIN of a sign-in comes from. */
export interface PinSource {
  variable: 'NIEM_PIN' | 'NIEM_OLD_PIN';
  prompt: { vi: string; en: string };
}

/** The PIN of an ordinary sign-in: NIEM_PIN, else a hidden prompt. */
export const signInPin: PinSource = { variable: 'NIEM_PIN', prompt: cliMessages.pinPrompt };

/** What a sign-in needs of the command's options. */
export interface TokenCommandBase {
  lang: Lang;
  /** --module: a PKCS#11 module path before NIEM_PKCS11_MODULE and the settings. */
  module?: string;
}

/** Opens the configured modules; those that fail are told on stderr and skipped. */
export async function openTokenService(options: TokenCommandBase): Promise<TokenService> {
  const { modules } = resolveModules({
    ...(options.module ? { flag: options.module } : {}),
    env: process.env,
    settingsFile: settingsPath(process.env),
  });
  const service = await TokenService.open({ modules });
  for (const m of service.moduleProblems) {
    process.stderr.write(
      `${say(cliMessages.moduleFailed, options.lang, { path: m.path, reason: m.reason })}\n`,
    );
  }
  return service;
}

/** Picks `label` on `service`, reads its PIN from `pinSource` (or the keypad) and signs in. */
export async function signIn(
  service: TokenService,
  label: string,
  lang: Lang,
  pinSource: PinSource = signInPin,
): Promise<TokenInfo> {
  const token = pickToken(await service.listTokens(), label, lang);
  if (token.pinState === 'locked') throw new NiemError('pin-locked', 'locked');
  if (token.protectedAuthPath) {
    process.stderr.write(`${say(cliMessages.usePinPad, lang, { label: token.label })}\n`);
  }
  // The PIN lives in this call only: never stored, logged or passed anywhere but the token.
  const pin = token.protectedAuthPath
    ? null
    : await readPin(pinSource.variable, pinSource.prompt, lang, { label: token.label });
  await service.login(token.id, pin);
  return token;
}

/** Opens the modules, signs in on `label` and runs `work`; the modules are always closed. */
export async function withSignedInToken<T>(
  options: TokenCommandBase,
  label: string,
  work: (service: TokenService, token: TokenInfo) => Promise<T>,
  pinSource: PinSource = signInPin,
): Promise<T> {
  const service = await openTokenService(options);
  try {
    const token = await signIn(service, label, options.lang, pinSource);
    return await work(service, token);
  } finally {
    await service.close();
  }
}
