/**
 * When to try again and how long to wait for a transfer.
 *
 * Retries back off exponentially with full jitter (the delay is uniform between 0 and
 * `min(cap, base × 2^(attempt−1))`): clients that failed together do not come back
 * together, and a platform that comes back is not hit by every workstation at once.
 * Defaults: base 5 s, cap 15 min. The time is stored with the outbox row, so a restarted
 * client keeps the schedule.
 *
 * A transfer's time limit grows with its size (a base plus the size at a floor rate),
 * and a transfer that makes no progress for a while is cut (a stall), so a 1 GiB upload
 * on a slow line is not killed while a dead connection is noticed.
 */

/** The backoff of retries, milliseconds. */
export interface BackoffPolicy {
  /** The first retry's largest delay. Default 5,000. */
  baseMs: number;
  /** The largest delay ever. Default 900,000 (15 minutes). */
  capMs: number;
}

/** Base 5 s, cap 15 min. */
export const defaultBackoff: BackoffPolicy = { baseMs: 5_000, capMs: 15 * 60_000 };

/**
 * The delay before retry number `attempt` (1 for the first retry), milliseconds, with
 * full jitter from `random` (uniform in [0, 1)).
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  policy: BackoffPolicy = defaultBackoff,
): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

/** The time limits of one transfer. */
export interface TransferLimits {
  /** Added to every transfer's limit, milliseconds. Default 60,000. */
  baseMs: number;
  /** The slowest rate still accepted, bytes per second: the limit grows with size. Default 64 KiB/s. */
  floorBytesPerSecond: number;
  /** No progress for this long cuts the transfer, milliseconds. Default 180,000. */
  stallMs: number;
}

/** 60 s plus the size at 64 KiB/s; a stall after 3 minutes without progress. */
export const defaultTransferLimits: TransferLimits = {
  baseMs: 60_000,
  floorBytesPerSecond: 64 * 1024,
  stallMs: 180_000,
};

/** The whole time a transfer of `size` bytes may take, milliseconds. */
export function transferTimeoutMs(
  size: number,
  limits: TransferLimits = defaultTransferLimits,
): number {
  return Math.ceil(limits.baseMs + (Math.max(size, 0) / limits.floorBytesPerSecond) * 1000);
}

/**
 * A signal that aborts with `outer`, when the whole limit for `size` bytes passes, or when
 * `progress()` was not called for the stall limit. `timedOut` says whether the limits (not
 * `outer`) cut it; `dispose` clears the timers.
 */
export function transferSignal(
  size: number,
  outer: AbortSignal,
  limits: TransferLimits = defaultTransferLimits,
): {
  signal: AbortSignal;
  progress: () => void;
  timedOut: () => string | undefined;
  dispose: () => void;
} {
  const controller = new AbortController();
  let reason: string | undefined;
  const cut = (why: string): void => {
    if (controller.signal.aborted) return;
    reason = why;
    controller.abort(new Error(why));
  };
  const total = setTimeout(
    () => cut(`no answer within ${Math.round(transferTimeoutMs(size, limits) / 1000)} s`),
    transferTimeoutMs(size, limits),
  );
  let stall = setTimeout(() => cut('no progress'), limits.stallMs);
  const onOuter = (): void => controller.abort(outer.reason);
  if (outer.aborted) onOuter();
  else outer.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    progress: () => {
      clearTimeout(stall);
      stall = setTimeout(
        () => cut(`no progress for ${Math.round(limits.stallMs / 1000)} s`),
        limits.stallMs,
      );
    },
    timedOut: () => reason,
    dispose: () => {
      clearTimeout(total);
      clearTimeout(stall);
      outer.removeEventListener('abort', onOuter);
    },
  };
}
