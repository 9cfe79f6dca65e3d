/**
 * `niem token list` and `niem token login`: the CLI seed over the native process.
 */
import type { Identity, TokenInfo } from '../../native/api/contract.ts';
import type { WireError } from '../../native/api/errors.ts';
import { cliMessages, describeError, say, type Lang } from '../cli-messages.ts';
import { formatDate } from '../cli-dates.ts';
import { connectNative } from '../native-client.ts';
import { CommandFailure, pickToken, readPin } from '../token-prompt.ts';

export { CommandFailure } from '../token-prompt.ts';

export interface TokenCommandOptions {
  json: boolean;
  lang: Lang;
  module?: string;
  token?: string;
}

const fail = (error: WireError, lang: Lang): never => {
  throw new CommandFailure(describeError(error, lang), 1, error);
};

export async function tokenList(options: TokenCommandOptions): Promise<string> {
  const native = await connectNative(options.module ? { module: options.module } : {});
  try {
    const result = await native.call('tokens.list', {});
    if (!result.ok) return fail(result.error, options.lang);
    const modules = await native.call('tokens.modules', {});
    for (const m of modules.ok ? modules.value : []) {
      if (m.status === 'failed') {
        process.stderr.write(
          `${say(cliMessages.moduleFailed, options.lang, { path: m.path, reason: m.reason })}\n`,
        );
      }
    }
    if (options.json) return JSON.stringify(result.value, null, 2);
    return formatTokenTable(result.value, options.lang);
  } finally {
    await native.stop();
  }
}

/** Tells the clerk before a PIN entry when earlier wrong PINs put the token at risk. */
function warnPinState(token: TokenInfo, options: TokenCommandOptions): void {
  if (token.pinState !== 'count-low' && token.pinState !== 'final-try') return;
  const state = options.lang === 'en' ? 'en' : 'vi';
  process.stderr.write(
    `${say(cliMessages.pinWarning, options.lang, { state: cliMessages.pinStates[state][token.pinState] })}\n`,
  );
}

export async function tokenLogin(options: TokenCommandOptions): Promise<string> {
  const wanted = options.token ?? '';
  const native = await connectNative(options.module ? { module: options.module } : {});
  try {
    const listed = await native.call('tokens.list', {});
    if (!listed.ok) return fail(listed.error, options.lang);
    const token = pickToken(listed.value, wanted, options.lang);
    if (token.pinState === 'locked')
      return fail({ kind: 'pin-locked', message: 'locked' }, options.lang);
    warnPinState(token, options);
    let pin: string | null = null;
    if (token.protectedAuthPath) {
      process.stderr.write(`${say(cliMessages.usePinPad, options.lang, { label: token.label })}\n`);
    } else {
      pin = await readPin('NIEM_PIN', cliMessages.pinPrompt, options.lang, { label: token.label });
    }
    const result = await native.call('session.login', { token: token.id, pin });
    pin = null;
    if (!result.ok) return fail(result.error, options.lang);
    if (result.value.state !== 'signed-in') {
      return fail({ kind: 'internal', message: 'not signed in' }, options.lang);
    }
    await native.call('session.logout', {});
    if (options.json) {
      return JSON.stringify(
        { token: result.value.token, identity: result.value.identity },
        null,
        2,
      );
    }
    return formatIdentity(result.value.identity, result.value.token, options.lang);
  } finally {
    await native.stop();
  }
}

export async function tokenChangePin(options: TokenCommandOptions): Promise<string> {
  const native = await connectNative(options.module ? { module: options.module } : {});
  try {
    const listed = await native.call('tokens.list', {});
    if (!listed.ok) return fail(listed.error, options.lang);
    const token = pickToken(listed.value, options.token ?? '', options.lang);
    if (token.pinState === 'locked')
      return fail({ kind: 'pin-locked', message: 'locked' }, options.lang);
    warnPinState(token, options);
    let oldPin: string | null = null;
    let newPin: string | null = null;
    if (token.protectedAuthPath) {
      process.stderr.write(`${say(cliMessages.usePinPad, options.lang, { label: token.label })}\n`);
    } else {
      oldPin = await readPin('NIEM_PIN', cliMessages.oldPinPrompt, options.lang, {
        label: token.label,
      });
      newPin = await readPin('NIEM_NEW_PIN', cliMessages.newPinPrompt, options.lang);
      if (!process.env.NIEM_NEW_PIN) {
        const again = await readPin('NIEM_NEW_PIN', cliMessages.newPinAgainPrompt, options.lang);
        if (again !== newPin)
          throw new CommandFailure(say(cliMessages.newPinMismatch, options.lang), 1);
      }
    }
    const result = await native.call('token.changePin', { token: token.id, oldPin, newPin });
    oldPin = newPin = null;
    if (!result.ok) return fail(result.error, options.lang);
    return say(cliMessages.pinChanged, options.lang, { label: token.label });
  } finally {
    await native.stop();
  }
}

function formatTokenTable(tokens: TokenInfo[], lang: Lang): string {
  const one = lang === 'en' ? 'en' : 'vi';
  if (tokens.length === 0) return say(cliMessages.noTokens, lang);
  const rows = [
    [...cliMessages.headings[one]],
    ...tokens.map((t) => [
      t.label,
      t.manufacturer,
      t.model,
      t.serial,
      cliMessages.pinStates[one][t.pinState],
      t.module,
    ]),
  ];
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length))) ?? [];
  return rows
    .map((r) =>
      r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}

function formatIdentity(identity: Identity, token: TokenInfo, lang: Lang): string {
  const langs: ('vi' | 'en')[] = lang === 'both' ? ['vi', 'en'] : [lang];
  const blocks = langs.map((l) => {
    const label = cliMessages.identity[l];
    const lines: [string, string | null][] = [
      [label.commonName, identity.commonName],
      [label.organization, identity.organization],
      [label.organizationalUnit, identity.organizationalUnit],
      [label.organId, identity.organId],
      [label.serialNumber, identity.serialNumber],
      [label.issuer, identity.issuerCommonName ?? identity.issuer],
      [label.validity, `${formatDate(identity.notBefore)} – ${formatDate(identity.notAfter)}`],
      [label.keyAlgorithm, identity.keyAlgorithm],
      [label.token, `${token.label} (${token.serial})`],
    ];
    if (identity.warnings.length > 0) lines.push([label.warnings, identity.warnings.join('; ')]);
    const width = Math.max(...lines.map(([k]) => [...k].length));
    return lines
      .filter((entry): entry is [string, string] => entry[1] !== null)
      .map(([k, v]) => `${k.padEnd(width)}  ${v}`)
      .join('\n');
  });
  return blocks.join('\n\n');
}
