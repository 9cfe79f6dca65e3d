/**
 * The session of the native process: which token is signed in and who the clerk is.
 * Token work happens in the token host (token-host-client.ts); this service decides
 * when the session ends and tells the UI why: sign-out, token removed or its session
 * lost, idle time passed, the token module crashed. Ending a session drops everything
 * kept for it.
 */
import { constants, createPublicKey, randomBytes, verify, X509Certificate } from 'node:crypto';
import type {
  EventName,
  EventPayload,
  KeyCheck,
  LockReason,
  Session,
  TokenInfo,
} from '../api/contract.ts';
import { NiemError } from '../api/errors.ts';
import type { NativeSpawner } from '../host/rpc-supervisor.ts';
import { TokenHostClient } from '../token-host/token-host-client.ts';
import type { SignAlgorithm } from '../token-host/token-protocol.ts';
import type { TokenOperations } from '../seal/pipeline/token-adapters.ts';
import type { Handlers } from './dispatcher.ts';
import { tokenHostOperations } from './token-host-operations.ts';

export type EventSink = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** The contract methods this service answers. */
export type SessionHandlers = Pick<
  Handlers,
  | 'tokens.list'
  | 'tokens.modules'
  | 'session.login'
  | 'session.logout'
  | 'session.current'
  | 'session.touch'
  | 'session.checkKey'
  | 'token.changePin'
  | 'native.ping'
>;

/** What else lives and dies with the session (the vault). */
export interface SessionListener {
  /** A login succeeded; awaited before the login call answers. Must not throw. */
  signedIn(): Promise<void>;
  /** The session ended; awaited on sign-out (before the token logs out), not otherwise. */
  ended(reason: LockReason): Promise<void>;
}

export interface SessionServiceOptions {
  /** Starts token host processes. */
  spawnTokenHost: NativeSpawner;
  emit: EventSink;
  /** Lock after this long without clerk activity, in ms. */
  idleLockMs: number;
  log?: (line: string) => void;
}

const startedAt = performance.now();

export class SessionService {
  readonly #emit: EventSink;
  readonly #idleLockMs: number;
  readonly #tokens: TokenHostClient;
  #session: Session = { state: 'signed-out' };
  #idleTimer: NodeJS.Timeout | undefined;
  #idleLockAt: number | undefined;
  #listener: SessionListener | undefined;
  /** Settles when an idle lock has finished with the token (checkpoint, then logout). */
  #ending: Promise<void> = Promise.resolve();
  /** The signed-in token through the token host (for the vault and the package layer). */
  readonly tokenOperations: TokenOperations;

  constructor(options: SessionServiceOptions) {
    this.#emit = options.emit;
    this.#idleLockMs = options.idleLockMs;
    this.#tokens = new TokenHostClient({
      spawn: options.spawnTokenHost,
      onCrash: () => this.#end('token-module-crashed'),
      ...(options.log ? { log: options.log } : {}),
    });
    this.#tokens.onEvent('tokens.changed', (payload) => this.#emit('tokens.changed', payload));
    this.#tokens.onEvent('session.lost', () => this.#end('token-removed'));
    this.tokenOperations = tokenHostOperations(this.#tokens);
  }

  /** Tells `listener` when a session begins and ends. */
  listen(listener: SessionListener): void {
    this.#listener = listener;
  }

  get signedIn(): boolean {
    return this.#session.state === 'signed-in';
  }

  /** The signed-in token, or undefined. */
  get signedInToken(): TokenInfo | undefined {
    return this.#session.state === 'signed-in' ? this.#session.token : undefined;
  }

  /** Starts the token host; resolves when it is ready. */
  start(): Promise<void> {
    return this.#tokens.start();
  }

  async shutdown(): Promise<void> {
    this.#clearIdle();
    this.#session = { state: 'signed-out' };
    this.#listener = undefined;
    await this.#tokens.stop();
  }

  readonly handlers: SessionHandlers = {
    'tokens.list': async () => {
      const { tokens, problems, loaded } = await this.#tokens.call('tokens.list', {});
      if (tokens.length === 0 && loaded.length === 0) {
        throw new NiemError(
          'module-unavailable',
          problems.length === 0
            ? 'no PKCS#11 module is configured and none was found at the known locations'
            : `no PKCS#11 module could be loaded (${problems.map((p) => `${p.path}: ${p.reason}`).join('; ')})`,
        );
      }
      return tokens;
    },
    'tokens.modules': async () => {
      const { problems, loaded } = await this.#tokens.call('tokens.list', {});
      return [
        ...loaded.map((path) => ({ path, status: 'loaded' as const })),
        ...problems.map((p) => ({ path: p.path, status: 'failed' as const, reason: p.reason })),
      ];
    },
    'session.login': async ({ token, pin }) => {
      await this.#ending;
      if (this.#session.state === 'signed-in') await this.#signOut();
      const { token: info, identity } = await this.#tokens.call('login', { tokenId: token, pin });
      this.#session = {
        state: 'signed-in',
        token: info,
        identity,
        since: new Date().toISOString(),
      };
      this.#touch();
      await this.#listener?.signedIn();
      return this.#session;
    },
    'session.logout': async () => {
      const wasSignedIn = this.#session.state === 'signed-in';
      await this.#signOut();
      if (wasSignedIn) this.#emit('session.locked', { reason: 'logout' });
      return this.#session;
    },
    'session.current': async () => this.#session,
    'session.touch': async () => {
      this.#touch();
      return { idleLockAt: this.#idleLockAt ? new Date(this.#idleLockAt).toISOString() : null };
    },
    'session.checkKey': async () => {
      this.#requireSession();
      this.#touch();
      return this.#checkKey();
    },
    'token.changePin': async ({ token, oldPin, newPin }) => {
      this.#touch();
      await this.#tokens.call('changePin', { tokenId: token, oldPin, newPin });
      return { changed: true };
    },
    'native.ping': async () => ({
      pid: process.pid,
      uptimeMs: Math.round(performance.now() - startedAt),
    }),
  };

  /** Signs a random challenge on the token and verifies it with the certificate. */
  async #checkKey(): Promise<KeyCheck> {
    if (this.#session.state !== 'signed-in') throw new NiemError('not-signed-in', 'no session');
    const { der } = await this.#tokens.call('certificate', {});
    const publicKey = createPublicKey(
      new X509Certificate(der).publicKey.export({ format: 'pem', type: 'spki' }),
    );
    const keyAlgorithm = this.#session.identity.keyAlgorithm;
    const candidates: SignAlgorithm[] = keyAlgorithm.startsWith('RSA')
      ? ['rsa-pss-sha256', 'rsa-pkcs1-sha256']
      : keyAlgorithm.endsWith('P-384')
        ? ['ecdsa-sha384']
        : ['ecdsa-sha256'];
    const data = randomBytes(32);
    let lastError: unknown;
    for (const algorithm of candidates) {
      const started = performance.now();
      try {
        const { signature } = await this.#tokens.call('sign', { algorithm, data });
        const tokenMs = Math.round(performance.now() - started);
        return {
          algorithm,
          verified: verifySignature(algorithm, data, signature, publicKey),
          tokenMs,
        };
      } catch (err) {
        lastError = err;
        if (!(err instanceof NiemError) || err.kind !== 'mechanism-unsupported') throw err;
      }
    }
    throw lastError;
  }

  #requireSession(): void {
    if (this.#session.state !== 'signed-in') {
      throw new NiemError('not-signed-in', 'this call needs a signed-in session');
    }
  }

  async #signOut(): Promise<void> {
    await this.#ending;
    this.#clearIdle();
    const wasSignedIn = this.#session.state === 'signed-in';
    this.#session = { state: 'signed-out' };
    if (wasSignedIn) await this.#listener?.ended('logout');
    await this.#tokens.call('logout', {});
  }

  /**
   * Ends the session without a clerk's call: the token is gone or crashed (nothing more
   * is asked of it), or the idle time passed. After an idle lock the listener (the vault:
   * its token-signed checkpoint) finishes before the token logs out; a sign-in or
   * sign-out meanwhile waits for both.
   */
  #end(reason: LockReason): void {
    if (this.#session.state !== 'signed-in') return;
    this.#clearIdle();
    this.#session = { state: 'signed-out' };
    this.#emit('session.locked', { reason });
    const ended = this.#listener?.ended(reason) ?? Promise.resolve();
    if (reason === 'idle') {
      this.#ending = ended
        .catch(() => {})
        .then(() => this.#tokens.call('logout', {}))
        .then(
          () => {},
          () => {},
        );
    } else {
      void ended;
    }
  }

  #touch(): void {
    if (this.#session.state !== 'signed-in') return;
    this.#clearIdle();
    this.#idleLockAt = Date.now() + this.#idleLockMs;
    this.#idleTimer = setTimeout(() => this.#end('idle'), this.#idleLockMs);
    this.#idleTimer.unref();
  }

  #clearIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#idleLockAt = undefined;
  }
}

function verifySignature(
  algorithm: SignAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
  key: ReturnType<typeof createPublicKey>,
): boolean {
  const hash = algorithm.endsWith('384') ? 'sha384' : 'sha256';
  if (algorithm.startsWith('rsa-pss')) {
    return verify(
      hash,
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hash === 'sha384' ? 48 : 32 },
      signature,
    );
  }
  return verify(hash, data, key, signature); // PKCS#1 v1.5, or ECDSA with a DER signature
}
