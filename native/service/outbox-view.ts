/**
 * An outbox row as the contract shows it: the transport state in the contract's words
 * (docs/exchange.md: queued, uploading, sent, delivered, failed-retrying, failed), the last
 * error as a kind the UI translates, the next attempt time, the clerk's action and the
 * bytes uploaded. An error or a state in another shape (an engine event, an older row:
 * `sending`, an error kept as text) is read in the same words, so the UI never meets a
 * state it cannot name.
 */
import type { OutboxItemView, TransportState } from '../api/boxes-contract.ts';
import { errorKinds, type ErrorKind, type WireError } from '../api/errors.ts';
import type { OutboxSummary } from '../vault/index.ts';

/** What a clerk can do about a failed package. */
export type FailureAction = NonNullable<OutboxItemView['action']>;

const actions: readonly string[] = ['re-seal', 'tell-administrator', 'retry'];

export function failureAction(value: unknown): FailureAction | null {
  return typeof value === 'string' && actions.includes(value) ? (value as FailureAction) : null;
}

/**
 * An error as a row or an engine event carries it: a WireError-like object (`kind`,
 * `message`, maybe `code` and `organId` or `detail`), or stored text.
 */
export function errorOf(value: unknown): WireError | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return storedError(value);
  if (typeof value !== 'object') return null;
  const o = value as Record<string, unknown>;
  if (!isKind(o.kind)) return storedError(typeof o.message === 'string' ? o.message : null);
  const nested = (o.detail ?? {}) as Record<string, unknown>;
  const code = typeof o.code === 'string' ? o.code : nested.code;
  const organId = typeof o.organId === 'string' ? o.organId : nested.organId;
  const detail = {
    ...(typeof code === 'string' ? { code: code.slice(0, 64) } : {}),
    ...(typeof organId === 'string' ? { organId: organId.slice(0, 64) } : {}),
  };
  return {
    kind: o.kind,
    message: typeof o.message === 'string' ? o.message.slice(0, 2000) : '',
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
  };
}

const known: readonly string[] = errorKinds;

function isKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && known.includes(value);
}

/**
 * The error of a row as stored: a WireError's JSON, `kind: message`, or a bare message
 * (then `internal`, its text kept for the log and the detail line).
 */
export function storedError(text: string | null | undefined): WireError | null {
  if (text === null || text === undefined || text === '') return null;
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { kind?: unknown; message?: unknown; detail?: unknown };
      if (isKind(parsed.kind)) {
        const detail = parsed.detail as WireError['detail'];
        return {
          kind: parsed.kind,
          message: typeof parsed.message === 'string' ? parsed.message.slice(0, 2000) : '',
          ...(detail !== undefined && typeof detail === 'object' ? { detail } : {}),
        };
      }
    } catch {
      // not JSON after all: a message
    }
  }
  const colon = text.indexOf(':');
  const head = colon > 0 ? text.slice(0, colon).trim() : text.trim();
  if (isKind(head)) {
    return { kind: head, message: (colon > 0 ? text.slice(colon + 1) : '').trim().slice(0, 2000) };
  }
  return { kind: 'internal', message: text.slice(0, 2000) };
}

/** The contract's state for a stored one. */
export function transportStateOf(stored: string, nextAttemptAt: string | null): TransportState {
  switch (stored) {
    case 'sending':
      return 'uploading';
    case 'failed':
      return nextAttemptAt === null ? 'failed' : 'failed-retrying';
    case 'queued':
    case 'uploading':
    case 'sent':
    case 'delivered':
    case 'failed-retrying':
      return stored;
    default:
      return 'queued';
  }
}

export function outboxItem(o: OutboxSummary, names: Map<string, string>): OutboxItemView {
  const state = transportStateOf(o.transportState, o.nextAttemptAt);
  const failing = state === 'failed' || state === 'failed-retrying';
  return {
    id: o.id,
    subject: o.subject,
    level: o.level,
    urgency: o.urgency,
    recipients: o.recipients.map((organId) => ({ organId, name: names.get(organId) ?? null })),
    transportState: state,
    attempts: o.attempts,
    error: failing ? (errorOf(o.error) ?? storedError(o.lastError)) : null,
    nextAttemptAt: state === 'failed-retrying' ? o.nextAttemptAt : null,
    action: state === 'failed' ? (failureAction(o.action) ?? 'retry') : null,
    bytesDone: Math.max(0, Math.min(o.bytesDone, o.size)),
    size: o.size,
    register: o.register,
    createdAt: o.createdAt,
  };
}
