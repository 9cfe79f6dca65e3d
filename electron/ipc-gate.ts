/**
 * The one IPC gate between the renderer and the native process (DESIGN.md rule 1).
 * Every `niem:<method>` invoke passes through `handle` before anything runs:
 *   1. the channel must name a method of the contract (own keys only);
 *   2. the sender must be the main frame of a page on our app:// origin;
 *   3. there must be at most one argument, the params object (absent → `{}`);
 *   4. the params must parse with the method's schema.
 * Only then is `call(method, params)` run with the parsed params. A refusal is an
 * `invalid-input` result; the handler never throws. Log lines never contain param
 * values, so a PIN cannot reach a log through here.
 *
 * Pure module (no Electron value import): the wiring is in ipc-wiring-electron.ts and
 * the attacks are fed to this file by test/security/ipc-gate.test.ts under plain Node.
 */
import { methods, type MethodName } from '../native/api/contract.ts';
import { toWireError, type Result } from '../native/api/errors.ts';
import { isAppOriginUrl, urlForLog, type AppOrigin } from './app-origin.ts';
import { MAX_CHANNEL_LENGTH, methodFromChannel } from './ipc-channels.ts';

/** Who sent an invoke, as the wiring reads it from `event.senderFrame`. */
export interface IpcSender {
  /** URL of the sending frame; empty when the frame is gone. */
  readonly url: string;
  /** True only for the top frame of its window. */
  readonly isMainFrame: boolean;
}

/** Runs a contract method with params the gate has already parsed. Never rejects. */
export type GateCall = (method: MethodName, params: unknown) => Promise<Result<unknown>>;

/** What the gate needs: where accepted calls go and which origin may call. */
export interface IpcGateOptions {
  /** Where accepted calls go (the native supervisor's `call`). */
  call: GateCall;
  /** The only origin whose main frames may call. */
  appOrigin: AppOrigin;
  /** Diagnostic lines for refusals; they name the channel and origin, never param values. */
  log?: (line: string) => void;
}

/** The gate the wiring calls for every `niem:*` invoke. */
export interface IpcGate {
  /**
   * Checks one invoke and, when it passes, runs it. `args` are the invoke's arguments
   * after the event (Electron's rest parameters). Resolves to the call's Result or to an
   * `invalid-input` refusal; never rejects.
   */
  handle(channel: unknown, sender: unknown, args: unknown): Promise<Result<unknown>>;
}

const refuse = (message: string): Result<never> => ({
  ok: false,
  error: { kind: 'invalid-input', message },
});

/** A channel cut down for a log line. */
function channelForLog(channel: unknown): string {
  if (typeof channel !== 'string') return `<${typeof channel}>`;
  return urlForLog(channel.slice(0, MAX_CHANNEL_LENGTH));
}

function readSender(sender: unknown): IpcSender | undefined {
  if (typeof sender !== 'object' || sender === null) return undefined;
  const { url, isMainFrame } = sender as Partial<IpcSender>;
  if (typeof url !== 'string' || typeof isMainFrame !== 'boolean') return undefined;
  return { url, isMainFrame };
}

/**
 * Describes schema failures by path and issue code only. Values are never included,
 * and paths through a method's sensitive fields (e.g. `pin`) are kept but their
 * contents are not, so nothing typed by the clerk reaches the message or the log.
 */
function describeIssues(
  method: MethodName,
  issues: readonly { path: readonly PropertyKey[]; code: string }[],
): string {
  const sensitive: readonly string[] = methods[method].sensitive;
  const parts = issues.slice(0, 5).map((issue) => {
    const path = issue.path.map((key) => String(key).slice(0, 40)).join('.') || '(params)';
    const marker = issue.path.some((key) => sensitive.includes(String(key))) ? ' [redacted]' : '';
    return `${urlForLog(path)}: ${issue.code}${marker}`;
  });
  return parts.join('; ');
}

export function createIpcGate(options: IpcGateOptions): IpcGate {
  const { call, log, appOrigin: origin } = options;

  return {
    async handle(channel, rawSender, args) {
      const method = methodFromChannel(channel);
      if (method === undefined) {
        log?.(`ipc refused: unknown channel ${channelForLog(channel)}`);
        return refuse('unknown channel');
      }

      const sender = readSender(rawSender);
      if (sender === undefined || !isAppOriginUrl(sender.url, origin)) {
        log?.(`ipc refused: ${method} from foreign sender ${urlForLog(sender?.url ?? rawSender)}`);
        return refuse('sender refused');
      }
      if (!sender.isMainFrame) {
        log?.(`ipc refused: ${method} from a sub-frame`);
        return refuse('sender refused: sub-frame');
      }

      if (!Array.isArray(args) || args.length > 1) {
        log?.(`ipc refused: ${method} with ${Array.isArray(args) ? args.length : 'no'} arguments`);
        return refuse(`${method} takes one params object`);
      }
      const raw: unknown = args.length === 0 || args[0] === undefined ? {} : args[0];
      const parsed = methods[method].params.safeParse(raw);
      if (!parsed.success) {
        const detail = describeIssues(method, parsed.error.issues);
        log?.(`ipc refused: ${method} params invalid (${detail})`);
        return refuse(`invalid params for ${method}: ${detail}`);
      }

      try {
        return await call(method, parsed.data);
      } catch (err) {
        // `call` is the supervisor's and never rejects; keep the promise that way anyway.
        log?.(`ipc call ${method} threw`);
        return { ok: false, error: toWireError(err) };
      }
    },
  };
}

/** What the wiring passes in: the parts of an IpcMainInvokeEvent the gate needs. */
export interface InvokeEventLike {
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
  readonly sender: { readonly mainFrame: unknown };
}

/**
 * Builds the gate's sender from an Electron invoke event. A frame that is gone
 * (`senderFrame` null) becomes an empty URL, which the gate refuses.
 */
export function senderOf(event: InvokeEventLike): IpcSender {
  const frame = event.senderFrame;
  if (frame === null) return { url: '', isMainFrame: false };
  return {
    url: frame.url,
    // A sub-frame has a parent and is not its window's main frame.
    isMainFrame: frame.parent === null || frame === event.sender.mainFrame,
  };
}
