/**
 * IPC channel names between the preload and the main process. A method `a.b` is
 * invoked on `niem:a.b`; an event `x.y` arrives on `niem:event:x.y`. Pure module.
 */
import { isMethodName, type EventName, type MethodName } from '../native/api/contract.ts';

export const METHOD_CHANNEL_PREFIX = 'niem:';
export const EVENT_CHANNEL_PREFIX = 'niem:event:';

/** Longest channel name the gate looks at; longer ones are refused unread. */
export const MAX_CHANNEL_LENGTH = 128;

export function methodChannel(method: MethodName): string {
  return METHOD_CHANNEL_PREFIX + method;
}

export function eventChannel(event: EventName): string {
  return EVENT_CHANNEL_PREFIX + event;
}

/**
 * The contract method a channel names, or undefined when the channel is not of the
 * form `niem:<method>` with a method of the contract (own keys only: `niem:__proto__`,
 * `niem:constructor` and `niem:toString` name nothing).
 */
export function methodFromChannel(channel: unknown): MethodName | undefined {
  if (typeof channel !== 'string' || channel.length > MAX_CHANNEL_LENGTH) return undefined;
  if (!channel.startsWith(METHOD_CHANNEL_PREFIX)) return undefined;
  const name = channel.slice(METHOD_CHANNEL_PREFIX.length);
  return isMethodName(name) ? name : undefined;
}
