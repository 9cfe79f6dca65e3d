/**
 * Event payloads checked before the store takes them: the host validates every event
 * against the contract, and the renderer still refuses a payload whose shape it does not
 * know (a state it cannot name) rather than render nonsense.
 */
import type { TransportState } from '../../../native/api/boxes-contract.ts';
import type { OutboxChanged, SyncState } from '../../../native/api/exchange-contract.ts';

/** The transport states the renderer names (a Record, so a new one fails the typecheck). */
export const transportStates: Readonly<Record<TransportState, true>> = {
  queued: true,
  uploading: true,
  sent: true,
  delivered: true,
  'failed-retrying': true,
  failed: true,
};

const phases: Readonly<Record<SyncState['phase'], true>> = {
  idle: true,
  running: true,
  stopped: true,
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** A payload of `outbox.changed`, or null. */
export function outboxChangedOf(payload: unknown): OutboxChanged | null {
  if (!isRecord(payload)) return null;
  const { id, state } = payload;
  if (typeof id !== 'number' || typeof state !== 'string') return null;
  if (!Object.hasOwn(transportStates, state)) return null;
  return payload as unknown as OutboxChanged;
}

/** The state of a `sync.changed` payload, or null. */
export function syncStateOf(payload: unknown): SyncState | null {
  const state = isRecord(payload) ? payload.state : undefined;
  if (!isRecord(state) || typeof state.phase !== 'string') return null;
  return Object.hasOwn(phases, state.phase) ? (state as unknown as SyncState) : null;
}
