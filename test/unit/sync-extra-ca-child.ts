/**
 * Child of the TLS test "the system store is not consulted": run with NODE_EXTRA_CA_CERTS
 * naming the CA of the server's certificate (so Node's own default store would trust it),
 * it asks the platform client, whose only trust anchor is another root, for the mailbox
 * and prints the error kind it gets (or `accepted`). Not a test file itself.
 *
 *   node sync-extra-ca-child.ts URL ANCHOR.pem
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { NiemError } from '../../native/api/errors.ts';
import { createPlatformClient } from '../../native/sync/platform-client.ts';

const [, , url, anchorPath] = process.argv;
if (url === undefined || anchorPath === undefined) throw new Error('usage: URL ANCHOR.pem');
const client = createPlatformClient({
  url,
  trustAnchors: [new Uint8Array(new X509Certificate(readFileSync(anchorPath)).raw)],
  signer: () => Promise.reject(new NiemError('not-signed-in', 'no token in this test')),
  organId: '000.00.00.G22',
});
try {
  await client.mailbox(undefined);
  process.stdout.write('accepted\n');
} catch (err) {
  process.stdout.write(`${err instanceof NiemError ? err.kind : String(err)}\n`);
  process.stderr.write(`${String((err as Error).message)}\n`);
} finally {
  await client.close();
}
