/**
 * Messages between a host (Electron main, the test bridge, the CLI) and the native
 * process. Every message carries a sequence number: calls and their results share the
 * caller's `seq`; events carry the native process's own increasing `seq` so a host can
 * tell a gap or a restart. Parsed with these schemas on both sides.
 */
import { z } from 'zod';
import { WireErrorSchema } from './errors.ts';

export const HostToNativeSchema = z.discriminatedUnion('t', [
  z
    .object({
      t: z.literal('call'),
      seq: z.number().int().nonnegative(),
      method: z.string().max(100),
      params: z.unknown(),
    })
    .strict(),
  z.object({ t: z.literal('shutdown') }).strict(),
]);
export type HostToNative = z.infer<typeof HostToNativeSchema>;

export const NativeToHostSchema = z.union([
  z.object({ t: z.literal('ready'), pid: z.number().int(), protocol: z.literal(1) }).strict(),
  z
    .object({
      t: z.literal('result'),
      seq: z.number().int().nonnegative(),
      ok: z.literal(true),
      value: z.unknown(),
    })
    .strict(),
  z
    .object({
      t: z.literal('result'),
      seq: z.number().int().nonnegative(),
      ok: z.literal(false),
      error: WireErrorSchema,
    })
    .strict(),
  z
    .object({
      t: z.literal('event'),
      seq: z.number().int().nonnegative(),
      name: z.string().max(100),
      payload: z.unknown(),
    })
    .strict(),
]);
export type NativeToHost = z.infer<typeof NativeToHostSchema>;
