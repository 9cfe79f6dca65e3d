/**
 * The platform client's connection and session against hostile or broken servers on
 * loopback: a certificate from another CA or for another host name (platform-untrusted,
 * and no request leaves the client), plain HTTP where HTTPS was asked, refused, silent,
 * slow and dropped connections (platform-unreachable within the configured limits), HTTP
 * statuses off the protocol, and the sign-in: the proof the platform receives, one new
 * sign-in on `unauthenticated` (also in the middle of an upload), refusals.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, afterEach, before, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { routes } from '../../native/exchange/platform-wire.ts';
import { verifyStatement } from '../../native/exchange/signed-statement.ts';
import type { PlatformApi } from '../../native/sync/platform-api.ts';
import { createPlatformClient } from '../../native/sync/platform-client.ts';
import { clientFor, rejectsWith, serveUpload, testPackage } from './sync-hostile-fixture.ts';
import {
  SENDER,
  errorReply,
  json,
  sessionHandler,
  startHostileServer,
  type HostileServer,
} from './sync-hostile-server.ts';
import { makeSyncTestPki, type SyncTestPki } from './sync-tls-pki.ts';

let t: SyncTestPki;
const open: { close(): Promise<void> }[] = [];
before(() => {
  t = makeSyncTestPki();
});
after(() => t.cleanup());
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

const emptyMailbox = { entries: [], acked: '0', more: false };
const run = promisify(execFile);

async function hostile(identity = t.server, plain = false): Promise<HostileServer> {
  const server = await startHostileServer(plain ? 'plain-http' : identity);
  server.on('GET', routes.mailbox.path, (_req, res) => json(res, 200, emptyMailbox));
  open.push(server);
  return server;
}

function client(server: HostileServer, ...rest: Parameters<typeof clientFor>[2][]): PlatformApi {
  const c = clientFor(server, t, Object.assign({}, ...rest));
  open.push(c);
  return c;
}

/** A TCP server that accepts connections and never says a word. */
async function silentTcp(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const handle = {
    url: `https://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.push(handle);
  return handle;
}

describe('TLS: only the profile trust anchors, only the right host', () => {
  it('control: the server certificate of the test PKI is accepted', async () => {
    const server = await hostile();
    assert.deepEqual(await client(server).mailbox(undefined), emptyMailbox);
  });

  it('control: by host name (localhost) too', async () => {
    const server = await hostile();
    const c = client(server, { url: server.url.replace('127.0.0.1', 'localhost') });
    assert.deepEqual(await c.mailbox(undefined), emptyMailbox);
  });

  it('a certificate from another CA is platform-untrusted; nothing reaches the server', async () => {
    const server = await hostile(t.foreignServer);
    await rejectsWith(client(server).mailbox(undefined), 'platform-untrusted');
    assert.equal(server.seen.length, 0);
  });

  it('the system store is not consulted: a server whose CA Node was told to trust is still refused', async () => {
    const server = await hostile(t.foreignServer);
    const child = join(import.meta.dirname, 'sync-extra-ca-child.ts');
    const { stdout } = await run(process.execPath, [child, server.url, t.pki.rootPem], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: t.pki.otherRoot.certPath },
    });
    assert.equal(stdout.trim(), 'platform-untrusted');
    assert.equal(server.requests('POST', routes.session.path).length, 0);
    // Control: the same child, given the anchor of the server it talks to, gets through the
    // handshake (to the sign-in, which has no token here). (Trusting the foreign self-signed
    // root itself failed the handshake now and then with several test processes at once:
    // UNABLE_TO_VERIFY_LEAF_SIGNATURE, not understood yet; see the exchange note.)
    const good = await hostile();
    const control = await run(process.execPath, [child, good.url, t.pki.rootPem], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: t.pki.otherRoot.certPath },
    });
    assert.equal(control.stdout.trim(), 'not-signed-in', control.stderr);
  });

  it('a certificate for another host name is platform-untrusted; nothing reaches the server', async () => {
    const server = await hostile(t.otherHostServer);
    await rejectsWith(client(server).authenticate(), 'platform-untrusted', /ALTNAME/);
    assert.equal(server.seen.length, 0);
  });

  it('a plain-HTTP server at an https:// address: no handshake, platform-unreachable', async () => {
    const server = await hostile(t.server, true);
    await rejectsWith(
      client(server, { url: server.url.replace('http:', 'https:') }).mailbox(undefined),
      'platform-unreachable',
    );
    assert.equal(server.seen.length, 0);
  });

  it('an http:// address is refused unless the development flag is set', async () => {
    const server = await hostile(t.server, true);
    assert.throws(
      () =>
        createPlatformClient({
          url: server.url,
          trustAnchors: t.anchors,
          signer: async () => t.clerk(),
          organId: SENDER,
        }),
      (e: unknown) => e instanceof NiemError && e.kind === 'invalid-input',
    );
    assert.deepEqual(await client(server, { insecureDev: true }).mailbox(undefined), emptyMailbox);
  });
});

describe('connections that fail, stall or crawl', () => {
  const quick = { timeouts: { connectMs: 400, idleMs: 400, timeoutForBytes: () => 5_000 } };

  it('a refused connection is platform-unreachable', async () => {
    const tcp = await silentTcp();
    await tcp.close();
    await rejectsWith(
      client(await hostile(), { url: tcp.url }).mailbox(undefined),
      'platform-unreachable',
      /ECONNREFUSED/,
    );
  });

  it('a server that accepts but never completes the handshake: unreachable at the connect limit', async () => {
    const tcp = await silentTcp();
    const started = Date.now();
    await rejectsWith(
      client(await hostile(), quick, { url: tcp.url }).mailbox(undefined),
      'platform-unreachable',
      /no connection/,
    );
    assert.ok(Date.now() - started < 3_000);
  });

  it('a server that never answers a request: unreachable at the idle limit', async () => {
    const server = await hostile();
    server.on('GET', routes.mailbox.path, () => undefined);
    await rejectsWith(
      client(server, quick).mailbox(undefined),
      'platform-unreachable',
      /did not answer/,
    );
  });

  it('a server that drips its reply: unreachable at the deadline even though bytes keep coming', async () => {
    const server = await hostile();
    server.on('GET', routes.mailbox.path, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    });
    const slow = { timeouts: { connectMs: 1_000, idleMs: 1_000, timeoutForBytes: () => 700 } };
    const started = Date.now();
    await rejectsWith(client(server, slow).mailbox(undefined), 'platform-unreachable', /too slow/);
    assert.ok(Date.now() - started < 3_000);
  });

  it('a connection dropped in the middle of a JSON reply is platform-unreachable', async () => {
    const server = await hostile();
    server.on('GET', routes.mailbox.path, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"entries": [', () => setTimeout(() => res.socket?.destroy(), 30));
    });
    await rejectsWith(client(server).mailbox(undefined), 'platform-unreachable');
  });

  it('a connection reset before any reply is platform-unreachable', async () => {
    const server = await hostile();
    server.on('GET', routes.mailbox.path, (req) => req.socket.destroy());
    await rejectsWith(client(server).mailbox(undefined), 'platform-unreachable');
  });
});

describe('HTTP statuses', () => {
  const cases: [string, (res: ServerResponse) => void, string][] = [
    ['503 busy', (res) => errorReply(res, 503, 'busy'), 'platform-unreachable'],
    ['429', (res) => res.writeHead(429, { 'retry-after': '5' }).end(), 'platform-unreachable'],
    [
      '500 with an HTML page',
      (res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>oops</h1>'),
      'platform-unreachable',
    ],
    [
      'a 4xx without a platform error',
      (res) => res.writeHead(418, { 'content-type': 'text/plain' }).end('teapot'),
      'platform-bad-reply',
    ],
    [
      'a 4xx with an unknown error code',
      (res) => json(res, 400, { error: { code: 'nope', message: 'x' } }),
      'platform-bad-reply',
    ],
    [
      'a redirect (never followed)',
      (res) => res.writeHead(302, { location: 'https://127.0.0.1:1/' }).end(),
      'platform-bad-reply',
    ],
    ['an unexpected success status', (res) => json(res, 201, emptyMailbox), 'platform-bad-reply'],
  ];
  for (const [what, reply, kind] of cases) {
    it(`${what} is ${kind}`, async () => {
      const server = await hostile();
      server.on('GET', routes.mailbox.path, (_req, res) => reply(res));
      await rejectsWith(client(server).mailbox(undefined), kind as 'platform-unreachable');
    });
  }

  it('a 404 platform error is platform-refused with its code', async () => {
    const server = await hostile();
    server.on('POST', routes.ack.path, (_req, res) => errorReply(res, 409, 'conflict'));
    const err = await rejectsWith(client(server).ack('7'), 'platform-refused');
    assert.deepEqual(err.detail, { code: 'conflict' });
  });
});

describe('sign-in', () => {
  it('sends a valid auth statement for this origin and the nonce it was given, once per session', async () => {
    const server = await hostile();
    const c = client(server);
    await c.mailbox(undefined);
    await c.mailbox(undefined);
    const [session] = server.requests('POST', routes.session.path);
    assert.equal(server.requests('POST', routes.session.path).length, 1);
    const proof = Buffer.from(JSON.parse(session?.body.toString() ?? '').proof, 'base64');
    const v = await verifyStatement(proof, { type: 'niem-auth', trustAnchors: t.anchors });
    assert.equal(v.statement.audience, server.url);
    assert.equal(v.level, 'thuong');
    assert.deepEqual(Buffer.from(v.certificate), Buffer.from(t.pki.p256.der));
    for (const get of server.requests('GET', routes.mailbox.path)) {
      assert.match(String(get.headers.authorization), /^Bearer [A-Za-z0-9_-]{43}$/);
    }
  });

  it('signs in again once when the session is unknown, then retries the request', async () => {
    const server = await hostile();
    let calls = 0;
    server.on('GET', routes.mailbox.path, (_req, res) =>
      ++calls === 1 ? errorReply(res, 401, 'unauthenticated') : json(res, 200, emptyMailbox),
    );
    assert.deepEqual(await client(server).mailbox(undefined), emptyMailbox);
    assert.equal(server.requests('POST', routes.session.path).length, 2);
  });

  it('gives up after one new sign-in: platform-refused unauthenticated', async () => {
    const server = await hostile();
    server.on('GET', routes.mailbox.path, (_req, res) => errorReply(res, 401, 'unauthenticated'));
    const err = await rejectsWith(client(server).mailbox(undefined), 'platform-refused');
    assert.equal(err.detail?.code, 'unauthenticated');
    assert.equal(server.requests('GET', routes.mailbox.path).length, 2);
  });

  it('a refused proof is platform-refused auth-refused', async () => {
    const server = await hostile();
    server.on('POST', routes.session.path, (_req, res) => errorReply(res, 401, 'auth-refused'));
    const err = await rejectsWith(client(server).mailbox(undefined), 'platform-refused');
    assert.equal(err.detail?.code, 'auth-refused');
  });

  it('a session opened for another agency is refused', async () => {
    const server = await hostile();
    server.on('POST', routes.session.path, sessionHandler('000.00.00.H26'));
    await rejectsWith(client(server).mailbox(undefined), 'platform-bad-reply', /another|not 000/);
    assert.equal(server.requests('GET', routes.mailbox.path).length, 0);
  });

  it('a token that cannot sign keeps its own error kind', async () => {
    const server = await hostile();
    const signer = () => Promise.reject(new NiemError('not-signed-in', 'no token'));
    await rejectsWith(client(server, { signer }).mailbox(undefined), 'not-signed-in');
  });

  it('a session that ends in the middle of an upload is reopened and the chunk sent again', async () => {
    const server = await hostile();
    const pkg = testPackage(5 * 64 * 1024);
    const held = serveUpload(server, t, pkg);
    const put = /\/chunks\/2$/;
    let refusedOnce = false;
    server.on('PUT', put, (_req, res, body) => {
      if (!refusedOnce) {
        refusedOnce = true;
        return errorReply(res, 401, 'unauthenticated');
      }
      held.set(2, body);
      res.writeHead(204).end();
    });
    const receipt = await client(server, { uploadConcurrency: 1 }).upload(pkg, () => undefined);
    assert.equal(receipt.statement.sha256, pkg.sha256);
    assert.equal(server.requests('POST', routes.session.path).length, 2);
    assert.equal(server.requests('PUT', put).length, 2);
    const sent = Buffer.concat([0, 1, 2, 3, 4].map((i) => held.get(i) ?? Buffer.alloc(0)));
    assert.ok(sent.equals(pkg.bytes), 'every chunk arrived once, chunk 2 after the new sign-in');
  });
});
