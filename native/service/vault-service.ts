/**
 * The vault in the native process: opened with the signed-in token when a session begins
 * (the token unwraps the database key; its private key never leaves it), closed when the
 * session ends for any reason (sign-out, idle lock, token removal, module crash, shutdown),
 * which zeroes the key; every change of state is told to the UI as `vault.changed`. The
 * vault is synchronous SQLite: it runs here, never in Electron main or the renderer.
 *
 * Audit (vault/session-audit.ts, as the CLI does): the vault is opened with the token
 * signing certificate's `CN #serial` as the actor of every entry, and the token's
 * identity is recorded. When the clerk ends the session (sign-out, the idle lock, quitting)
 * the token signs a checkpoint over the last entry before the vault closes. When the
 * token is gone (removed, its module crashed, this process killed) nothing can sign: the
 * entries of that session are covered by the next session's checkpoint.
 *
 * Sync (./sync-service.ts, ./sync-setup.ts): while the vault is open and its profile names
 * a platform, the sync engine runs in the background; it stops before the vault closes.
 * The contract's exchange methods (seal, directory, outbox and inbox details, sync) are
 * answered here over the open vault.
 */
import { readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockReason, TokenInfo, VaultState } from '../api/contract.ts';
import { NiemError, toWireError } from '../api/errors.ts';
import { tokenRecipientKeys, tokenSenderRecipient } from '../seal/pipeline/token-adapters.ts';
import type { TokenOperations } from '../seal/pipeline/token-adapters.ts';
import {
  initVault,
  openVault,
  recordSessionIdentity,
  sessionIdentity,
  signSessionCheckpoint,
  type KeyHolder,
  type SessionIdentity,
  type Vault,
} from '../vault/index.ts';
import { DATABASE_FILE } from '../vault/snapshots.ts';
import { KEY_FILE } from '../vault/vault-key.ts';
import type { EventSink } from './session-service.ts';
import { boxHandlers, type BoxHandlers } from './box-handlers.ts';
import { draftHandlers, type DraftHandlers } from './draft-handlers.ts';
import type { Handlers } from './dispatcher.ts';
import { exchangeHandlers, type ExchangeHandlers } from './exchange-handlers.ts';
import { inboxHandlers, type InboxHandlers } from './inbox-handlers.ts';
import { vaultInboxStore } from './inbox-store.ts';
import { SyncService, type SyncEngineEvent, type SyncSetup } from './sync-service.ts';
import { appSync, syncOptions, type ProvisionedPlatform } from './sync-setup.ts';

export interface VaultServiceOptions {
  /** The profile folder (absolute). */
  profileDir: string;
  /** The agency recovery certificate file (PEM or DER) new vaults are also wrapped for. */
  recoveryCertificate?: string;
  /** The signed-in token, through the token host. */
  token: TokenOperations;
  /** The signed-in token, or undefined while no session is signed in. */
  signedInToken: () => Pick<TokenInfo, 'label' | 'serial'> | undefined;
  emit: EventSink;
  log?: (line: string) => void;
  /** Longest wait for the token's checkpoint signature when the process quits, in ms (default 1500). */
  quitCheckpointMs?: number;
  /** The folder "save to folder" proposes (default NIEM_EXPORT_DIR, else ~/Niêm). */
  exportFolder?: string;
  /** The platform provisioned in the settings, adopted by a profile without one. */
  platform?: ProvisionedPlatform;
  /**
   * Builds the sync engine for the open vault, or resolves to undefined when no platform
   * is configured. Default: ./sync-setup.ts (the profile's platform and trust anchors,
   * the signed-in token); false: the app never syncs.
   */
  configureSync?:
    | ((vault: Vault, onEvent: (event: SyncEngineEvent) => void) => Promise<SyncSetup | undefined>)
    | false;
}

type VaultHandlers = Pick<Handlers, 'vault.state' | 'vault.init' | 'sync.state' | 'sync.now'> &
  DraftHandlers &
  BoxHandlers &
  ExchangeHandlers &
  InboxHandlers;

/** Session ends the clerk chose, with the token still signed in: the token signs a checkpoint. */
const SIGNED_ENDS: ReadonlySet<LockReason> = new Set<LockReason>(['logout', 'idle']);

const initialState: VaultState = { state: 'locked', reason: null, problem: null };

/** Longest wait for the sync engine to stop when the process quits, in ms. */
const QUIT_SYNC_STOP_MS = 500;

/** Waits for `work` at most `ms` milliseconds (it goes on in the background after that). */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export class VaultService {
  readonly #options: VaultServiceOptions;
  #vault: Vault | undefined;
  #state: VaultState = initialState;
  /** Moves at every lock: an open that finishes after a lock closes what it opened. */
  #generation = 0;
  readonly #sync: SyncService;
  readonly handlers: VaultHandlers;

  constructor(options: VaultServiceOptions) {
    this.#options = options;
    this.#sync = new SyncService({
      emit: options.emit,
      ...(options.log ? { log: options.log } : {}),
    });
    this.handlers = {
      'vault.state': async () => this.#state,
      'vault.init': async () => this.#init(),
      ...draftHandlers(() => this.#open()),
      ...boxHandlers(() => this.#open()),
      ...exchangeHandlers({
        vault: () => this.#open(),
        token: options.token,
        sealed: () => this.#sync.nudge(),
      }),
      ...inboxHandlers({
        vault: () => this.#open(),
        token: options.token,
        store: vaultInboxStore,
        ...(options.exportFolder === undefined ? {} : { exportFolder: options.exportFolder }),
      }),
      'sync.state': async () => this.#sync.state,
      'sync.now': async () => {
        this.#open();
        return this.#sync.now();
      },
    };
  }

  #signedIn(): boolean {
    return this.#options.signedInToken() !== undefined;
  }

  /** Who is signed in, as the audit names and records them; `not-signed-in` when no one is. */
  async #who(): Promise<SessionIdentity> {
    const token = this.#options.signedInToken();
    if (token === undefined) throw new NiemError('not-signed-in', 'no session');
    return sessionIdentity(this.#options.token, token);
  }

  /** The clerk's sign-out: the token signs the trail as it stands. Failures are logged only. */
  async #checkpoint(vault: Vault): Promise<void> {
    try {
      await signSessionCheckpoint(vault, this.#options.token);
    } catch (err) {
      this.#options.log?.(`audit checkpoint not signed: ${toWireError(err).kind}`);
    }
  }

  /** The open vault, or `vault-locked`. */
  #open(): Vault {
    if (this.#vault === undefined || !this.#vault.isOpen) {
      throw new NiemError('vault-locked', 'the vault is locked');
    }
    return this.#vault;
  }

  /** After a successful sign-in: opens the profile's vault with the token, or reports it absent. */
  async unlock(): Promise<void> {
    const generation = this.#generation;
    const { profileDir } = this.#options;
    let next: VaultState;
    try {
      if (!(await this.#hasVault())) {
        next = { state: 'absent', profile: profileDir };
      } else {
        const who = await this.#who();
        const keys = await tokenRecipientKeys(this.#options.token);
        const { vault, report } = await openVault(profileDir, keys, { actor: who.actor });
        await this.#adopt(vault, generation, who, {
          state: 'open',
          profile: profileDir,
          ...(report.restored === undefined
            ? {}
            : { restored: { snapshotTime: report.restored.snapshotAt.toISOString() } }),
        });
        return;
      }
    } catch (err) {
      this.#options.log?.(`vault open failed: ${toWireError(err).kind}`);
      next = { state: 'locked', reason: null, problem: toWireError(err) };
    }
    if (generation === this.#generation) this.#set(next);
  }

  /**
   * The session ended: the vault closes (a due snapshot, then the database, then the key
   * is zeroed) and the UI is told. New calls fail with `vault-locked` from this moment.
   */
  async lock(reason: LockReason): Promise<void> {
    this.#generation += 1;
    const vault = this.#vault;
    this.#vault = undefined;
    this.#state = { state: 'locked', reason, problem: null };
    await this.#sync.stop();
    if (vault !== undefined) {
      if (SIGNED_ENDS.has(reason)) await this.#checkpoint(vault);
      await vault.close().catch((err: unknown) => {
        this.#options.log?.(`vault close: ${toWireError(err).kind}`);
      });
    }
    this.#set({ state: 'locked', reason, problem: null });
  }

  /**
   * Process shutdown (the app quits): closes without telling anyone (the host is going
   * away). With a clerk still signed in, the token signs a checkpoint first, waited for at
   * most `quitCheckpointMs` (the host kills a process that takes too long to quit: the
   * vault must be closed before that; a late signature finds it closed and is dropped).
   */
  async shutdown(): Promise<void> {
    this.#generation += 1;
    const vault = this.#vault;
    this.#vault = undefined;
    // The engine aborts its transfer (it resumes next time); a stop that hangs is not waited
    // for long: the host kills a process that takes more than 3 s to quit.
    await bounded(this.#sync.stop(false), QUIT_SYNC_STOP_MS);
    if (vault === undefined) return;
    if (this.#signedIn()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#checkpoint(vault),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.#options.quitCheckpointMs ?? 1_500);
        }),
      ]);
      clearTimeout(timer);
    }
    await vault.close();
  }

  async #init(): Promise<VaultState> {
    if (!this.#signedIn()) {
      throw new NiemError('not-signed-in', 'initialising the vault needs the clerk’s token');
    }
    if (this.#state.state === 'open') {
      throw new NiemError('vault-exists', 'the vault is already open');
    }
    const generation = this.#generation;
    const who = await this.#who();
    const { certificate, oaepHash } = await tokenSenderRecipient(this.#options.token);
    const holder: KeyHolder = { certificate, ...(oaepHash === undefined ? {} : { oaepHash }) };
    const recovery = this.#recoveryHolder();
    const vault = await initVault(this.#options.profileDir, {
      holder,
      ...(recovery === undefined ? {} : { recovery }),
      actor: who.actor,
    });
    if (
      !(await this.#adopt(vault, generation, who, {
        state: 'open',
        profile: this.#options.profileDir,
      }))
    ) {
      throw new NiemError('vault-locked', 'the session ended while the vault was created');
    }
    return this.#state;
  }

  /**
   * Makes `vault`, just opened or created for the session at `generation`, the session's:
   * records who signed in (the audit's session identity), then sets `open`. Resolves to
   * false, the vault closed, when the session moved on meanwhile (a lock, a sign-out); a
   * failure to record closes the vault and rejects.
   */
  async #adopt(
    vault: Vault,
    generation: number,
    who: SessionIdentity,
    open: VaultState,
  ): Promise<boolean> {
    if (generation !== this.#generation || !this.#signedIn()) {
      await vault.close();
      return false;
    }
    try {
      recordSessionIdentity(vault, who);
    } catch (err) {
      await vault.close();
      throw err;
    }
    this.#vault = vault;
    this.#set(open);
    this.#startSync(vault, generation);
    return true;
  }

  /** Starts background sync for the vault just adopted (not awaited: the open answers first). */
  #startSync(vault: Vault, generation: number): void {
    const configure =
      this.#options.configureSync ??
      appSync(this.#options.token, {
        ...syncOptions(process.env),
        ...(this.#options.platform ? { provisioned: this.#options.platform } : {}),
      });
    if (configure === false) return;
    void this.#sync.start(async (onEvent) =>
      generation === this.#generation && vault.isOpen ? configure(vault, onEvent) : undefined,
    );
  }

  #recoveryHolder(): KeyHolder | undefined {
    const path = this.#options.recoveryCertificate;
    if (path === undefined) return undefined;
    try {
      return { certificate: readFileSync(path) };
    } catch (err) {
      throw new NiemError('internal', `the recovery certificate ${path} cannot be read`, {
        cause: err,
      });
    }
  }

  async #hasVault(): Promise<boolean> {
    const dir = this.#options.profileDir;
    return (
      (await exists(join(dir, KEY_FILE))) ||
      (await exists(join(dir, DATABASE_FILE))) ||
      (await exists(join(dir, 'snapshots')))
    );
  }

  #set(state: VaultState): void {
    this.#state = state;
    this.#options.emit('vault.changed', { state });
  }
}
