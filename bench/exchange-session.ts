/**
 * A platform session token for the curl side of the bench, opened the way the Niêm client
 * opens one (native/sync/platform-client.ts): POST /v1/auth/challenge, the `niem-auth`
 * statement signed by the clerk's key with signStatement, POST /v1/auth/session. curl then
 * sends the token as `Authorization: Bearer` (through a config file, never argv).
 */
import https from 'node:https';
import {
  ChallengeReplySchema,
  SessionReplySchema,
  routes,
} from '../native/exchange/platform-wire.ts';
import { signStatement } from '../native/exchange/signed-statement.ts';
import { pemDers, type ClerkIdentity } from './exchange-pki.ts';

function post(url: URL, path: string, caPem: string, body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        ca: caPem,
        agent: false,
        headers: {
          accept: 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...(body === '' ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`bench: ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`));
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a session on the platform at `origin` for `clerk`; returns its bearer token. */
export async function sessionToken(
  origin: string,
  caChainPem: string,
  clerk: ClerkIdentity,
): Promise<string> {
  const url = new URL(origin);
  const [, issuing] = pemDers(caChainPem) as [Uint8Array, Uint8Array];
  const challenge = ChallengeReplySchema.parse(
    await post(url, routes.challenge.path, caChainPem, ''),
  );
  const proof = await signStatement(
    clerk.signer,
    {
      type: 'niem-auth',
      version: 1,
      nonce: challenge.nonce,
      audience: url.origin,
      at: new Date().toISOString(),
    },
    { level: 'thuong', certificates: [issuing] },
  );
  const body = JSON.stringify({ proof: Buffer.from(proof).toString('base64') });
  const session = SessionReplySchema.parse(await post(url, routes.session.path, caChainPem, body));
  if (session.organId !== clerk.organId) {
    throw new Error(`bench: a session for ${session.organId}, not ${clerk.organId}`);
  }
  return session.token;
}
