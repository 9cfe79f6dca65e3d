// The test bridge is loopback tooling, but it still talks to a real token: it must refuse
// every request that is not from the page it served, with its secret, on its address.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBridge, type Bridge } from '../bridge/bridge-server.ts';

let bridge: Bridge;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'niem-bridge-sec-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(
    join(renderer, 'index.html'),
    '<!doctype html><html><head></head><body>ok</body></html>',
  );
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer folder');
  // an empty SoftHSM2 token folder: the native process runs for real, with no token
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(
    join(dir, 'softhsm2.conf'),
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\n`,
  );
  bridge = await startBridge({
    rendererDir: renderer,
    env: {
      ...process.env,
      SOFTHSM2_CONF: join(dir, 'softhsm2.conf'),
      NIEM_PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so',
    },
  });
});

after(async () => {
  await bridge?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const { port } = new URL(bridge.origin);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(port),
        path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const call = (method: string, headers: Record<string, string>, body = '{}') =>
  send(`/__bridge/call/${method}`, { method: 'POST', headers, body });

const good = () => ({
  'x-niem-bridge': bridge.secret,
  'content-type': 'application/json',
  origin: bridge.origin,
});

test('listens on 127.0.0.1 only, secret in the fragment, never in a path or query', () => {
  const url = new URL(bridge.url);
  assert.equal(url.hostname, '127.0.0.1');
  assert.equal(url.search, '');
  assert.equal(url.hash, `#k=${bridge.secret}`);
  assert.ok(bridge.secret.length >= 40, 'a 256-bit secret');
});

test('a call with the secret from our origin reaches the native process', async () => {
  const reply = await call('tokens.list', good());
  assert.equal(reply.status, 200);
  assert.deepEqual(JSON.parse(reply.body), { ok: true, value: [] });
});

test('calls without the secret, or with a wrong one, are refused', async () => {
  const { 'x-niem-bridge': _secret, ...noSecret } = good();
  assert.equal((await call('tokens.list', noSecret)).status, 401);
  // one character changed (never to itself), and the same length, so only the compare decides
  const last = bridge.secret.slice(-1);
  const wrong = `${bridge.secret.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
  assert.notEqual(wrong, bridge.secret);
  assert.equal((await call('tokens.list', { ...good(), 'x-niem-bridge': wrong })).status, 401);
  assert.equal((await send('/__bridge/events')).status, 401);
});

test('a foreign origin is refused even with the secret (a page elsewhere cannot drive the token)', async () => {
  assert.equal(
    (await call('tokens.list', { ...good(), origin: 'http://evil.example' })).status,
    403,
  );
  assert.equal((await call('tokens.list', { ...good(), origin: 'null' })).status, 403);
});

test('a DNS-rebinding Host header is refused', async () => {
  const reply = await send('/', { headers: { host: 'evil.example:80' } });
  assert.equal(reply.status, 421);
  assert.equal(
    (await call('tokens.list', { ...good(), host: 'localhost.evil.example' })).status,
    421,
  );
});

test('only JSON bodies of bounded size, only known methods', async () => {
  assert.equal(
    (await call('tokens.list', { ...good(), 'content-type': 'text/plain' })).status,
    415,
  );
  assert.equal((await call('tokens.list', good(), '{not json')).status, 400);
  assert.equal((await call('no.such', good())).status, 404);
  assert.equal((await call('__proto__.x', good())).status, 404);
  const huge = await call(
    'session.login',
    good(),
    JSON.stringify({ token: '0123456789abcdef', pin: 'x'.repeat(100_000) }),
  ).catch(() => ({ status: 413 }));
  assert.notEqual(huge.status, 200);
  // Only drafts.addDocument takes a document-sized body, and that too is bounded.
  const document = await call(
    'drafts.addDocument',
    good(),
    JSON.stringify({ draftId: 1, name: 'x', contentBase64: 'A'.repeat(13 * 1024 * 1024) }),
  ).catch(() => ({ status: 413 }));
  assert.notEqual(document.status, 200);
});

test('bad params are refused by the contract before the token sees them', async () => {
  const reply = await call(
    'session.login',
    good(),
    JSON.stringify({ token: '0123456789abcdef', pin: '12\n34' }),
  );
  assert.equal(reply.status, 200);
  const result = JSON.parse(reply.body);
  assert.equal(result.ok, false);
  assert.equal(result.error.kind, 'invalid-input');
});

test('static files never leave the renderer folder', async () => {
  for (const path of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '//etc/passwd',
  ]) {
    const reply = await send(path);
    assert.ok([400, 404].includes(reply.status), `${path} → ${reply.status}`);
    assert.ok(!reply.body.includes('outside the renderer folder'), path);
  }
  const ok = await send('/assets/app.js');
  assert.equal(ok.status, 200);
  assert.match(String(ok.headers['content-type']), /javascript/);
});

test('every response carries the strict CSP and the page loads the bridge client first', async () => {
  const reply = await send('/');
  assert.equal(reply.status, 200);
  const csp = String(reply.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  assert.match(reply.body, /<head>\s*<script src="\/bridge-client\.js"><\/script>/);
});
