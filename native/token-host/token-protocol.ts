/**
 * What the native process asks of the token host, the process that alone loads vendor
 * PKCS#11 modules. Same message envelope as the host ↔ native protocol; these tables
 * give the methods, their schemas and time limits, and the events. Binary values cross
 * as Uint8Array (structured clone), never as strings.
 */
import { z } from 'zod';
import { IdentitySchema, PinSchema, TokenIdSchema, TokenInfoSchema } from '../api/contract.ts';
import {
  decryptAlgorithms,
  signAlgorithms,
  type SignAlgorithm,
} from '../token/token-algorithms.ts';

const Bytes = z.instanceof(Uint8Array);
const NoParams = z.object({}).strict();
const Empty = z.object({}).strict();

export const ModuleProblemSchema = z.object({ path: z.string(), reason: z.string() }).strict();

export const SignAlgorithmSchema = z.enum(signAlgorithms);
export const DecryptAlgorithmSchema = z.enum(decryptAlgorithms);
export type { SignAlgorithm };

function method<P extends z.ZodType, R extends z.ZodType>(params: P, result: R, timeoutMs: number) {
  return { params, result, timeoutMs } as const;
}

export const tokenMethods = {
  'tokens.list': method(
    NoParams,
    z
      .object({
        tokens: z.array(TokenInfoSchema),
        /** Modules that failed to load, with the reason. */
        problems: z.array(ModuleProblemSchema),
        /** Paths of the modules loaded and answering. */
        loaded: z.array(z.string()),
      })
      .strict(),
    15_000,
  ),
  /** One C_Login; `pin: null` for a PIN pad. A PIN pad waits for the clerk: a long limit. */
  login: method(
    z.object({ tokenId: TokenIdSchema, pin: PinSchema.nullable() }).strict(),
    z.object({ token: TokenInfoSchema, identity: IdentitySchema }).strict(),
    120_000,
  ),
  logout: method(NoParams, Empty, 15_000),
  changePin: method(
    z
      .object({
        tokenId: TokenIdSchema,
        oldPin: PinSchema.nullable(),
        newPin: PinSchema.nullable(),
      })
      .strict(),
    Empty,
    120_000,
  ),
  sign: method(
    z.union([
      z.object({ algorithm: SignAlgorithmSchema, data: Bytes }).strict(),
      z.object({ algorithm: SignAlgorithmSchema, digest: Bytes }).strict(),
    ]),
    z.object({ signature: Bytes }).strict(),
    60_000,
  ),
  decrypt: method(
    z.object({ algorithm: DecryptAlgorithmSchema, data: Bytes }).strict(),
    z.object({ plaintext: Bytes }).strict(),
    60_000,
  ),
  deriveEcdh: method(
    z.object({ publicPoint: Bytes }).strict(),
    z.object({ secret: Bytes }).strict(),
    60_000,
  ),
  /** DER of the signed-in clerk's signing certificate (public data). */
  certificate: method(NoParams, z.object({ der: Bytes }).strict(), 15_000),
  /** The signed-in token's usable algorithms (from C_GetMechanismList and probes). */
  capabilities: method(NoParams, z.record(z.string(), z.unknown()), 30_000),
  /** Answered at once, even while a token call runs in the host's worker. */
  ping: method(NoParams, z.object({ pid: z.number().int() }).strict(), 5_000),
} as const;

export const tokenEvents = {
  'tokens.changed': z.object({ tokens: z.array(TokenInfoSchema) }).strict(),
  /** The signed-in token's session is gone (removal, invalid handle): lock the app. */
  'session.lost': z.object({ reason: z.enum(['token-removed']) }).strict(),
} as const;

export type TokenMethods = typeof tokenMethods;
export type TokenEvents = typeof tokenEvents;
