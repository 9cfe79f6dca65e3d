/**
 * Loading and initializing PKCS#11 modules through pkcs11js. A module's library is
 * process-wide state (one dlopen, one C_Initialize), so loaded modules are shared through
 * a registry keyed by the library's real path and finalized when the last user releases
 * them. Everything here is synchronous; the token service wraps it in promises so a
 * later issue can move it to a worker or a supervised child without changing callers.
 */
import { realpathSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11 } from 'pkcs11js';
import { NiemError } from '../api/errors.ts';
import { ckrOf, isCkr } from './ckr-errors.ts';

/** A loaded and initialized module. Owned by the registry; release it, never finalize it. */
export interface LoadedModule {
  /** The path as configured (used in token ids and messages). */
  readonly path: string;
  /** The library's real path (symlinks resolved): the registry key. */
  readonly realPath: string;
  readonly pkcs11: PKCS11;
}

interface RegistryEntry {
  module: LoadedModule;
  users: number;
  /** False when another component of this process had already initialized the library. */
  ownsInitialize: boolean;
}

const registry = new Map<string, RegistryEntry>();

function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function describeLoadFailure(err: unknown): string {
  const ckr = ckrOf(err);
  if (ckr) return `C_Initialize failed: ${ckr.name}`;
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

/**
 * Loads (or reuses) the module at `path` and calls C_Initialize once per process.
 * Throws `module-unavailable` with the reason (missing file, not a PKCS#11 library,
 * C_Initialize failure).
 */
export function acquireModule(path: string): LoadedModule {
  const realPath = realPathOf(path);
  const existing = registry.get(realPath);
  if (existing) {
    existing.users += 1;
    return existing.module;
  }
  const pkcs11 = new pkcs11js.PKCS11();
  try {
    pkcs11.load(path);
  } catch (err) {
    throw new NiemError('module-unavailable', `${path}: ${describeLoadFailure(err)}`, {
      cause: err,
    });
  }
  let ownsInitialize = true;
  try {
    // *Async calls run on libuv worker threads: the module must do its own locking.
    pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (err) {
    if (isCkr(err, 'CKR_CRYPTOKI_ALREADY_INITIALIZED')) {
      ownsInitialize = false;
    } else {
      throw new NiemError('module-unavailable', `${path}: ${describeLoadFailure(err)}`, {
        cause: err,
      });
    }
  }
  const module: LoadedModule = { path, realPath, pkcs11 };
  registry.set(realPath, { module, users: 1, ownsInitialize });
  return module;
}

/** Drops one user of a module; the last one calls C_Finalize (errors ignored) and closes it. */
export function releaseModule(module: LoadedModule): void {
  const entry = registry.get(module.realPath);
  if (!entry || entry.module !== module) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  registry.delete(module.realPath);
  if (entry.ownsInitialize) {
    try {
      module.pkcs11.C_Finalize();
    } catch {
      // The module is going away; a failing finalize changes nothing for the caller.
    }
  }
  try {
    module.pkcs11.close();
  } catch {
    // Same as above.
  }
}

/**
 * A slot handle as a number for the contract. CK_SLOT_ID is an unsigned long: 8 bytes
 * on Linux x64, 4 on Windows.
 */
export function slotNumber(slot: Handle): number {
  if (slot.length >= 8) {
    const value = slot.readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new NiemError('internal', `slot id ${value} does not fit a safe integer`);
    }
    return Number(value);
  }
  if (slot.length >= 4) return slot.readUInt32LE(0);
  throw new NiemError('internal', `unexpected slot handle of ${slot.length} bytes`);
}
