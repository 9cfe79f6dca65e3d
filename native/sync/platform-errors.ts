/**
 * How the platform client turns what goes wrong on the wire into the NiemError kinds of
 * ./platform-api.ts: network and TLS errors, HTTP statuses and the platform's ErrorReply.
 * Nothing raw (a Node socket error, a JSON SyntaxError) leaves the client.
 */
import { NiemError } from '../api/errors.ts';

/**
 * OpenSSL verification results (as Node reports them in `err.code`) and Node's own host
 * name check: the certificate is not one we trust for this address.
 */
const TRUST_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
]);

export function unreachable(message: string, cause?: unknown): NiemError {
  return new NiemError(
    'platform-unreachable',
    message,
    cause === undefined ? undefined : { cause },
  );
}

export function badReply(message: string, cause?: unknown): NiemError {
  return new NiemError('platform-bad-reply', message, cause === undefined ? undefined : { cause });
}

export function untrusted(message: string, cause?: unknown): NiemError {
  return new NiemError('platform-untrusted', message, cause === undefined ? undefined : { cause });
}

/** A NiemError as it is, else the kind a socket, TLS or HTTP parser error means. */
export function networkError(err: unknown, origin: string): NiemError {
  if (err instanceof NiemError) return err;
  const code =
    typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (code !== undefined && TRUST_CODES.has(code)) {
    return untrusted(`the certificate of ${origin} is not trusted (${code}: ${message})`, err);
  }
  if (code?.startsWith('HPE_') === true) {
    return badReply(`${origin} did not answer in HTTP (${code}: ${message})`, err);
  }
  return unreachable(`${origin}: ${code === undefined ? '' : `${code}: `}${message}`, err);
}

/** Whether an error is the failure of the first write on a keep-alive socket the server had closed. */
export function isStaleSocketError(err: unknown): boolean {
  const code =
    typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED';
}
