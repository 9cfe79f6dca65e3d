/**
 * The token service: lists tokens across the configured PKCS#11 modules, signs a clerk
 * in with one C_Login (or the token's PIN pad) and reports who the certificate says
 * they are, and keeps that session for the token operations: sign, RSA-OAEP decrypt,
 * ECDH derive, and what the token can do (capabilities). Also changes the user PIN.
 *
 * Every public method is async, takes and returns plain structured-clonable data
 * (strings, numbers, booleans, Uint8Array, plain objects), and calls are serialised, so
 * the service can be hosted in a worker or a supervised child process unchanged. Keys
 * are found by CKA_ID at each call, never by a kept handle. PINs are passed straight to
 * the token and never stored. Private keys never leave the token.
 */
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11 } from 'pkcs11js';
import type { Identity, TokenInfo } from '../api/contract.ts';
import { NiemError } from '../api/errors.ts';
import { identityFromCertificate } from './certificate-identity.ts';
import { isSessionLost, toTokenError } from './ckr-errors.ts';
import { identityPair } from './key-usage.ts';
import { acquireModule, releaseModule, slotNumber, type LoadedModule } from './pkcs11-module.ts';
import type {
  DecryptAlgorithm,
  SignAlgorithm,
  TokenCapabilities,
  TokenKeyInfo,
} from './token-capabilities.ts';
import { tokenFlags, toTokenInfo } from './token-info.ts';
import { readPairs } from './token-objects.ts';
import { changeUserPin, presentPin, refuseUselessPin, type PresentToken } from './token-pin.ts';
import {
  checkChangePinRequest,
  checkDecryptRequest,
  checkDeriveRequest,
  checkSignRequest,
  handOver,
  type ChangePinRequest,
  type DecryptRequest,
  type DeriveEcdhRequest,
  type SignRequest,
} from './token-requests.ts';
import { SignedInSession } from './token-session.ts';

export type { DecryptAlgorithm, SignAlgorithm, TokenCapabilities, TokenKeyInfo };
export type { ChangePinRequest, DecryptRequest, DeriveEcdhRequest, SignRequest };
export { MAX_SIGN_DATA } from './token-requests.ts';

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

export class TokenService {
  readonly #modules: LoadedModule[];
  readonly #problems: ModuleProblem[];
  #signedIn: SignedInSession | undefined;
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

  /** How many modules are loaded (configured paths that load, duplicates counted once). */
  get loadedModuleCount(): number {
    return this.#modules.length;
  }

  /** Paths of the loaded modules, as configured. */
  get loadedModulePaths(): string[] {
    return this.#modules.map((m) => m.path);
  }

  /**
   * Asks every module, without blocking, whether a slot changed since the last ask
   * (C_WaitForSlotEvent with CKF_DONT_BLOCK). 'unknown' when a module cannot tell
   * (SoftHSM2 and many vendor modules): the caller then compares token lists instead.
   */
  slotEvents(): Promise<'changed' | 'unchanged' | 'unknown'> {
    return this.#serial(() => {
      let answer: 'changed' | 'unchanged' | 'unknown' = 'unchanged';
      for (const { pkcs11 } of this.#modules) {
        try {
          if (pkcs11.C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK) !== null) return 'changed';
        } catch {
          answer = 'unknown'; // CKR_FUNCTION_NOT_SUPPORTED, or a module in trouble
        }
      }
      return answer;
    });
  }

  /** Every token present, across modules, in module then slot order. */
  listTokens(): Promise<TokenInfo[]> {
    return this.#serial(() => this.#presentTokens().map((t) => t.info));
  }

  /**
   * Signs in on `tokenId`: opens a session, presents the PIN to the token exactly once
   * (never retried; `pin` null: the clerk types it on the token's PIN pad), finds the
   * key and certificate pairs (same CKA_ID) and builds the identity from the signing
   * certificate. Any previous sign-in of this service ends first.
   * Errors: token-absent, pin-incorrect (with triesLeft when the token tells),
   * pin-locked, pin-invalid (also: null on a token without a PIN pad, refused without
   * a C_Login), pin-expired, no-certificate, token-cancelled, token-busy, device-error.
   */
  login(tokenId: string, pin: string | null): Promise<{ token: TokenInfo; identity: Identity }> {
    return this.#serial(() => {
      this.#endSession();
      return this.#login(this.#present(tokenId), pin);
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

  /**
   * What the signed-in token can do: the sign algorithms its signing key and mechanisms
   * allow, the decryption algorithms (RSA-OAEP with SHA-256 only when a real decryption
   * on the token proved it, once per login), whether ECDH works, and the pair chosen
   * for each use with its certificate. Errors: not-signed-in, token-removed, device-error.
   */
  capabilities(): Promise<TokenCapabilities> {
    return this.#withSession('capabilities', (session) => session.capabilities());
  }

  /**
   * The certificate (DER) of the signing key, the one `sign` uses: to verify a test
   * signature, or to put in a CMS SignedData. Errors: not-signed-in, key-usage-mismatch.
   */
  signingCertificate(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#withSession('signingCertificate', async (session) =>
      Uint8Array.from(session.signingCertificate()),
    );
  }

  /**
   * Signs `data` (or a precomputed `digest`) with the signing key: the pair whose
   * certificate allows digitalSignature or nonRepudiation. Returns the signature as CMS
   * and X.509 want it: RSA as is, ECDSA DER-encoded (ECDSA-Sig-Value).
   * Errors: invalid-input, not-signed-in, key-usage-mismatch (no signing pair),
   * mechanism-unsupported (the key or token cannot do `algorithm`), token-removed,
   * device-error, pin-expired.
   */
  sign(request: SignRequest): Promise<Uint8Array<ArrayBuffer>> {
    return this.#withSession('sign', async (session) =>
      handOver(await session.sign(checkSignRequest(request))),
    );
  }

  /**
   * Decrypts an RSA-OAEP ciphertext with the decryption key: the RSA pair whose
   * certificate allows keyEncipherment. `rsa-oaep-sha256` on a token that cannot do it
   * (SoftHSM2 2.6) is `mechanism-unsupported` without touching the data; the caller
   * uses `rsa-oaep-sha1` only for recipients whose token lacks SHA-256.
   * Errors: invalid-input, not-signed-in, key-usage-mismatch, mechanism-unsupported,
   * decrypt-failed (not for this key, or damaged), token-removed, device-error.
   */
  decrypt(request: DecryptRequest): Promise<Uint8Array<ArrayBuffer>> {
    return this.#withSession('decrypt', async (session) =>
      handOver(await session.decrypt(checkDecryptRequest(request))),
    );
  }

  /**
   * ECDH with the derive key (the EC pair whose certificate allows keyAgreement) and
   * `publicPoint`; returns the raw shared secret Z (the X coordinate, as wide as the
   * field) for the caller's KDF. The point is checked (length, on the key's curve)
   * before the token sees it.
   * Errors: invalid-input, not-signed-in, key-usage-mismatch, mechanism-unsupported,
   * token-removed, device-error.
   */
  deriveEcdh(request: DeriveEcdhRequest): Promise<Uint8Array<ArrayBuffer>> {
    return this.#withSession('deriveEcdh', async (session) =>
      handOver(await session.deriveEcdh(checkDeriveRequest(request))),
    );
  }

  /**
   * Changes the user PIN of `tokenId` (C_SetPIN in a read/write session), whether or not
   * the clerk is signed in on it. Both PINs are checked against the token's length range
   * first, so no try is spent on a PIN the token would refuse. Both PINs null on a
   * PIN-pad token: the clerk types them on the pad.
   * Errors: token-absent, pin-incorrect (old PIN wrong; triesLeft when known),
   * pin-locked, pin-invalid (old PIN length, or nulls without a pad), new-pin-invalid,
   * invalid-input, token-write-protected, token-busy, token-cancelled, device-error.
   */
  changePin(request: ChangePinRequest): Promise<void> {
    return this.#serial(() => {
      const { tokenId, oldPin, newPin } = checkChangePinRequest(request);
      changeUserPin(this.#present(tokenId), oldPin, newPin);
    });
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

  #serial<T>(work: () => T | Promise<T>): Promise<T> {
    const run = async (): Promise<T> => work();
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs `work` in the signed-in session. A failure meaning the session is gone
   * (token removed, handle invalid, logged out) ends the sign-in here and is reported
   * as such: `token-absent` inside a session becomes `token-removed`.
   */
  #withSession<T>(operation: string, work: (session: SignedInSession) => Promise<T>): Promise<T> {
    return this.#serial(async () => {
      const current = this.#signedIn;
      if (!current) throw new NiemError('not-signed-in', `${operation}: no clerk is signed in`);
      try {
        return await work(current);
      } catch (err) {
        let error = toTokenError(err, operation);
        if (error.kind === 'token-absent') {
          error = new NiemError('token-removed', error.message, { cause: err });
        }
        if (isSessionLost(error) && this.#signedIn === current) this.#endSession();
        throw error;
      }
    });
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

  #present(tokenId: string): PresentToken {
    const present = this.#presentTokens().find((t) => t.info.id === tokenId);
    if (!present) throw new NiemError('token-absent', `no token with id ${tokenId} is present`);
    return present;
  }

  #login(present: PresentToken, pin: string | null): { token: TokenInfo; identity: Identity } {
    const { pkcs11 } = present.module;
    refuseUselessPin(present, pin);
    let session: Handle;
    try {
      // Read-only is enough to sign and decrypt, and works on write-protected tokens.
      session = pkcs11.C_OpenSession(present.slot, pkcs11js.CKF_SERIAL_SESSION);
    } catch (err) {
      throw toTokenError(err, 'C_OpenSession');
    }
    try {
      presentPin(pkcs11, present, session, pin);
      const { keyCount, candidates } = readPairs(pkcs11, session);
      const pair = identityPair(candidates, keyCount);
      const identity = identityFromCertificate(pair.certificate, pair.key);
      this.#signedIn = new SignedInSession({
        module: present.module,
        slot: present.slot,
        session,
        token: present.info,
        keyId: pair.key.keyId,
        candidates,
      });
      return { token: this.#freshInfo(present), identity };
    } catch (err) {
      closeQuietly(pkcs11, session, true);
      throw toTokenError(err, 'login');
    }
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
