/**
 * The token service: lists tokens across the configured PKCS#11 modules, signs a clerk
 * in with one C_Login and reports who the certificate says they are, and keeps that
 * session for later operations (found again by CKA_ID, never by cached handle).
 *
 * pkcs11js is synchronous; every public method is async and calls are serialised, so a
 * later issue can move the PKCS#11 work to a worker or a supervised child process
 * without changing callers. PINs are passed straight to C_Login and never stored.
 */
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11 } from 'pkcs11js';
import type { Identity, TokenInfo } from '../api/contract.ts';
import { NiemError } from '../api/errors.ts';
import { identityFromCertificate } from './certificate-identity.ts';
import { isCkr, toTokenError } from './ckr-errors.ts';
import { acquireModule, releaseModule, slotNumber, type LoadedModule } from './pkcs11-module.ts';
import { pinLengthOutOfRange, tokenFlags, toTokenInfo, triesLeftOf } from './token-info.ts';
import { findSigningPair } from './token-objects.ts';

/** A module that could not be loaded, and why (English, for logs and `niem token list`). */
export interface ModuleProblem {
  path: string;
  reason: string;
}

/** Options of {@link TokenService.open}. */
export interface TokenServiceOptions {
  /** PKCS#11 module paths, in order (see resolveModules). Duplicates of one library load once. */
  modules: string[];
}

interface PresentToken {
  module: LoadedModule;
  slot: Handle;
  info: TokenInfo;
  /** PIN length bounds (bytes) from CK_TOKEN_INFO, as read when listed. */
  minPinLen: number;
  maxPinLen: number;
}

interface SignedIn {
  module: LoadedModule;
  session: Handle;
  token: TokenInfo;
  /** CKA_ID of the key the session signs with; objects are found by it, never by handle. */
  keyId: Buffer;
}

/** CKS_RO_USER_FUNCTIONS and CKS_RW_USER_FUNCTIONS: the application is logged in as user. */
const userSessionStates = new Set([1, 3]);

export class TokenService {
  readonly #modules: LoadedModule[];
  readonly #problems: ModuleProblem[];
  #signedIn: SignedIn | undefined;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(modules: LoadedModule[], problems: ModuleProblem[]) {
    this.#modules = modules;
    this.#problems = problems;
  }

  /**
   * Loads and initializes each module. A module that fails is recorded in
   * `moduleProblems` (path and reason) and skipped; the others go on. Never rejects
   * because of a module.
   */
  static async open(options: TokenServiceOptions): Promise<TokenService> {
    const modules: LoadedModule[] = [];
    const problems: ModuleProblem[] = [];
    for (const path of options.modules) {
      try {
        const module = acquireModule(path);
        if (modules.some((m) => m.realPath === module.realPath)) {
          releaseModule(module);
          continue;
        }
        modules.push(module);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const reason = message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
        problems.push({ path, reason });
      }
    }
    return new TokenService(modules, problems);
  }

  /** Modules that could not be loaded at open, with the reason. */
  get moduleProblems(): ReadonlyArray<ModuleProblem> {
    return this.#problems;
  }

  /** Every token present, across modules, in module then slot order. */
  listTokens(): Promise<TokenInfo[]> {
    return this.#serial(() => this.#presentTokens().map((t) => t.info));
  }

  /**
   * Signs in on `tokenId` with `pin`: opens a session, presents the PIN to the token
   * exactly once (never retried), finds the private key and its certificate (same
   * CKA_ID) and builds the identity. Any previous sign-in of this service ends first.
   * Errors: token-absent, pin-incorrect (with triesLeft when the token tells),
   * pin-locked, pin-invalid, no-certificate, internal.
   */
  login(tokenId: string, pin: string): Promise<{ token: TokenInfo; identity: Identity }> {
    return this.#serial(() => {
      this.#endSession();
      const present = this.#presentTokens().find((t) => t.info.id === tokenId);
      if (!present) throw new NiemError('token-absent', `no token with id ${tokenId} is present`);
      return this.#login(present, pin);
    });
  }

  /** Logs out and closes the session, if any. Idempotent; never rejects. */
  logout(): Promise<void> {
    return this.#serial(() => this.#endSession());
  }

  /** Whether a sign-in is held (the token may since have been removed; later calls tell). */
  isSignedIn(): boolean {
    return this.#signedIn !== undefined;
  }

  /** Logs out and finalizes every module this service loaded. Idempotent. */
  close(): Promise<void> {
    return this.#serial(() => {
      this.#endSession();
      if (this.#closed) return;
      this.#closed = true;
      for (const module of this.#modules) releaseModule(module);
      this.#modules.length = 0;
    });
  }

  #serial<T>(work: () => T): Promise<T> {
    const run = async (): Promise<T> => work();
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #presentTokens(): PresentToken[] {
    const tokens: PresentToken[] = [];
    for (const module of this.#modules) {
      let slots: Handle[];
      try {
        slots = module.pkcs11.C_GetSlotList(true);
      } catch {
        continue; // a module that stops answering lists no tokens; the watch notices
      }
      for (const slot of slots) {
        try {
          const raw = module.pkcs11.C_GetTokenInfo(slot);
          if ((raw.flags & tokenFlags.CKF_TOKEN_INITIALIZED) === 0) continue;
          tokens.push({
            module,
            slot,
            info: toTokenInfo(module.path, slotNumber(slot), raw),
            minPinLen: raw.minPinLen,
            maxPinLen: raw.maxPinLen,
          });
        } catch {
          // Removed between C_GetSlotList and C_GetTokenInfo: not present.
        }
      }
    }
    return tokens;
  }

  #login(present: PresentToken, pin: string): { token: TokenInfo; identity: Identity } {
    const { pkcs11 } = present.module;
    if (present.info.pinState === 'locked') {
      const message = 'the token reports the user PIN locked (CKF_USER_PIN_LOCKED); not presented';
      throw new NiemError('pin-locked', message, { triesLeft: 0 });
    }
    if (pinLengthOutOfRange(Buffer.byteLength(pin, 'utf8'), present)) {
      throw new NiemError(
        'pin-invalid',
        `PIN length outside the token's range ${present.minPinLen}..${present.maxPinLen}; not presented`,
      );
    }
    let session: Handle;
    try {
      // Read-only is enough to sign and decrypt, and works on write-protected tokens.
      session = pkcs11.C_OpenSession(present.slot, pkcs11js.CKF_SERIAL_SESSION);
    } catch (err) {
      throw toTokenError(err, 'C_OpenSession');
    }
    try {
      this.#presentPin(pkcs11, present, session, pin);
      const pair = findSigningPair(pkcs11, session);
      const identity = identityFromCertificate(pair.certificate, pair.key);
      this.#signedIn = {
        module: present.module,
        session,
        token: present.info,
        keyId: Buffer.from(pair.key.keyId),
      };
      return { token: this.#freshInfo(present), identity };
    } catch (err) {
      closeQuietly(pkcs11, session, true);
      throw toTokenError(err, 'login');
    }
  }

  /**
   * The single C_Login. Login state is per application and token, so a stale login left
   * by an earlier session of this process would make C_Login answer
   * CKR_USER_ALREADY_LOGGED_IN without looking at the PIN: it is logged out first, so the
   * clerk's PIN is always verified. If the token still answers ALREADY_LOGGED_IN (a race
   * with another session of this process), it verified nothing and used no try: log out
   * and present the PIN once more.
   */
  #presentPin(pkcs11: PKCS11, present: PresentToken, session: Handle, pin: string): void {
    if (userSessionStates.has(pkcs11.C_GetSessionInfo(session).state))
      logoutQuietly(pkcs11, session);
    try {
      pkcs11.C_Login(session, pkcs11js.CKU_USER, pin);
      return;
    } catch (err) {
      if (!isCkr(err, 'CKR_USER_ALREADY_LOGGED_IN')) throw this.#pinError(pkcs11, present, err);
    }
    logoutQuietly(pkcs11, session);
    try {
      pkcs11.C_Login(session, pkcs11js.CKU_USER, pin);
    } catch (err) {
      throw this.#pinError(pkcs11, present, err);
    }
  }

  /** Maps a C_Login failure, reading the token's flags afterwards for tries left. */
  #pinError(pkcs11: PKCS11, present: PresentToken, err: unknown): NiemError {
    if (!isCkr(err, 'CKR_PIN_INCORRECT')) return toTokenError(err, 'C_Login');
    let flags: number | undefined;
    try {
      flags = pkcs11.C_GetTokenInfo(present.slot).flags;
    } catch {
      flags = undefined;
    }
    const triesLeft = flags === undefined ? undefined : triesLeftOf(flags);
    if (triesLeft === 0) {
      return new NiemError(
        'pin-locked',
        'C_Login: CKR_PIN_INCORRECT, and the token is now locked',
        {
          cause: err,
          triesLeft: 0,
        },
      );
    }
    return toTokenError(err, 'C_Login', triesLeft === undefined ? undefined : { triesLeft });
  }

  /** The token's info re-read after login (the PIN state changes on success). */
  #freshInfo(present: PresentToken): TokenInfo {
    try {
      const raw = present.module.pkcs11.C_GetTokenInfo(present.slot);
      return toTokenInfo(present.module.path, present.info.slot, raw);
    } catch {
      return present.info;
    }
  }

  #endSession(): void {
    const current = this.#signedIn;
    this.#signedIn = undefined;
    if (current) closeQuietly(current.module.pkcs11, current.session, true);
  }
}

function logoutQuietly(pkcs11: PKCS11, session: Handle): void {
  try {
    pkcs11.C_Logout(session);
  } catch {
    // Not logged in, session gone or token removed: the result is the same.
  }
}

function closeQuietly(pkcs11: PKCS11, session: Handle, logout: boolean): void {
  if (logout) logoutQuietly(pkcs11, session);
  try {
    pkcs11.C_CloseSession(session);
  } catch {
    // Already closed or token removed.
  }
}
