/**
 * The signed-in token as the package and vault layers want it (TokenOperations, the few
 * TokenService methods native/seal/pipeline/token-adapters.ts uses), served by the token
 * host: the native process never loads PKCS#11 itself, and the private keys never leave
 * the token. Errors are the host's (not-signed-in, token-removed, …) as NiemError.
 */
import type { TokenOperations } from '../seal/pipeline/token-adapters.ts';
import type { TokenHostClient } from '../token-host/token-host-client.ts';
import type { TokenCapabilities } from '../token/token-service.ts';

/** A copy on a fresh ArrayBuffer (what TokenService's callers expect). */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => Uint8Array.from(bytes);

export function tokenHostOperations(host: TokenHostClient): TokenOperations {
  return {
    async sign(request) {
      const params =
        request.digest !== undefined
          ? { algorithm: request.algorithm, digest: own(request.digest) }
          : { algorithm: request.algorithm, data: own(request.data) };
      return own((await host.call('sign', params)).signature);
    },
    async decrypt({ algorithm, data }) {
      return own((await host.call('decrypt', { algorithm, data: own(data) })).plaintext);
    },
    async deriveEcdh({ publicPoint }) {
      return own((await host.call('deriveEcdh', { publicPoint: own(publicPoint) })).secret);
    },
    async capabilities() {
      // Structured clone keeps the shape (and the certificates' bytes) of TokenCapabilities.
      return (await host.call('capabilities', {})) as unknown as TokenCapabilities;
    },
    async signingCertificate() {
      return own((await host.call('certificate', {})).der);
    },
  };
}
