/**
 * Options of the platform client (./platform-client.ts): where the platform is, what to
 * trust, who signs in, and the time limits, with their defaults and the check of the
 * platform address.
 */
import { NiemError } from '../api/errors.ts';
import type { SignerSpec } from '../seal/signed-data/index.ts';

/** Time limits of the client, in milliseconds. */
export interface PlatformTimeouts {
  /** A new connection (TCP and TLS handshake) must be up within this. */
  connectMs: number;
  /** Waiting on the network this long without progress ends an exchange. */
  idleMs: number;
  /** The total wait allowed for an exchange that carries `bytes` (request and reply). */
  timeoutForBytes: (bytes: number) => number;
}

/**
 * Defaults: 10 s to connect, 30 s without progress, and for a whole exchange 60 s plus 1 s
 * per 32 kB carried (a link of 256 kbit/s still sends an 8 MiB chunk: 322 s). A stalled
 * transfer ends at the idle limit whatever its size; the deadline ends one that crawls.
 */
export const defaultTimeouts: PlatformTimeouts = {
  connectMs: 10_000,
  idleMs: 30_000,
  timeoutForBytes: (bytes) => 60_000 + Math.ceil(bytes / 32),
};

/** Options of createPlatformClient. */
export interface PlatformClientOptions {
  /** The platform origin, `https://host:port`; `http://` only with `insecureDev`. */
  url: string;
  /** Plain HTTP allowed (development on loopback only; never in a clerk's profile). */
  insecureDev?: boolean;
  /** DER CA certificates: the only roots of the server's TLS certificate and of receipts. */
  trustAnchors: readonly Uint8Array[];
  /** The clerk's token signer, asked anew for each sign-in (the token may have been replugged). */
  signer: () => Promise<SignerSpec>;
  /** Intermediate CA certificates (DER) carried in the auth proof besides the clerk's own. */
  certificates?: readonly Uint8Array[];
  /** The clerk's agency: the session's and every receipt's sender. */
  organId: string;
  /** When set, a receipt must name this clerk certificate (SHA-256 hex) as the sender's. */
  senderCertificateSha256?: string;
  timeouts?: Partial<PlatformTimeouts>;
  /**
   * Chunks on the wire at once during an upload (1 to 4, default 2). The client holds two
   * chunks in memory (`uploadConcurrency` when more): the next one is read and hashed while
   * the other is sent, and goes out as soon as it is ready.
   */
  uploadConcurrency?: number;
  /** The clock (tests); default the system clock. */
  now?: () => Date;
}

/** The platform address as a URL: an origin, https (http only with insecureDev). */
export function checkUrl(url: string, insecureDev: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NiemError('invalid-input', `platform address ${url.slice(0, 200)} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && insecureDev)) {
    throw new NiemError(
      'invalid-input',
      `platform address ${parsed.origin}: only https:// (plain http needs the development flag)`,
    );
  }
  if (
    parsed.username !== '' ||
    parsed.password !== '' ||
    parsed.pathname !== '/' ||
    parsed.search !== '' ||
    parsed.hash !== ''
  ) {
    throw new NiemError('invalid-input', 'the platform address is an origin: https://host:port');
  }
  return parsed;
}
