// The app:// protocol (electron/app-protocol.ts): path traversal and other tricks are
// refused by the pure resolver; the handler serves only files inside the renderer build,
// with the CSP, nosniff and the right content type.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAppProtocolHandler, resolveAppRequestPath } from '../../electron/app-protocol.ts';
import { CONTENT_SECURITY_POLICY } from '../../electron/csp.ts';

const root = path.resolve('/srv/niem/dist/renderer');

describe('app path resolver', () => {
  const attacks: [string, number][] = [
    ['app://niem/../../etc/passwd', 400],
    ['app://niem/assets/../../../etc/passwd', 400],
    ['app://niem/..', 400],
    ['app://niem/./index.html', 400],
    ['app://niem/%2e%2e/%2e%2e/etc/passwd', 400],
    ['app://niem/%2E%2E/secret.txt', 400],
    ['app://niem/.%2e/secret.txt', 400],
    ['app://niem/assets%2f..%2f..%2fsecret.txt', 400],
    ['app://niem/assets%2Findex.js', 400],
    ['app://niem/..%5c..%5csecret.txt', 400],
    ['app://niem/..\\..\\secret.txt', 400],
    ['app://niem/assets\\index.js', 400],
    ['app://niem/index.html%00.png', 400],
    ['app://niem/index.html\u0000.png', 400],
    ['app://niem/%252e%252e/secret.txt', 400],
    ['app://niem/%E0%A4%A', 400],
    ['app://niem//etc/passwd', 400],
    ['app://niem/assets//index.js', 400],
    ['app://niem/C:/Windows/win.ini', 400],
    ['app://niem/index.html::$DATA', 400],
    ['app://niem/index.html.', 400],
    ['app://niem/index.html%20', 400],
    ['app://niem/.env', 400],
    ['app://niem/.git/config', 400],
    ['app://niem/assets/', 400],
    ['app://niem/a\nb.js', 400],
    ['app://evil/index.html', 403],
    ['app://niem.evil/index.html', 403],
    ['app://niemx/index.html', 403],
    ['app://niem:8080/index.html', 403],
    ['app://niem@evil/index.html', 403],
    ['app://NIEM/index.html', 403],
    ['file:///etc/passwd', 403],
    ['https://niem/index.html', 403],
    ['/etc/passwd', 403],
    ['', 403],
    ['app://niem/secret.key', 404],
    ['app://niem/run.sh', 404],
    ['app://niem/index', 404],
  ];
  for (const [url, status] of attacks) {
    it(`refuses ${JSON.stringify(url)} with ${status}`, () => {
      const result = resolveAppRequestPath(url, root);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.status, status, result.reason);
    });
  }

  it('refuses non-strings and huge URLs', () => {
    for (const url of [
      undefined,
      null,
      42,
      { url: 'app://niem/' },
      `app://niem/${'a'.repeat(4000)}.js`,
    ]) {
      assert.equal(resolveAppRequestPath(url, root).ok, false);
    }
  });

  it('resolves good paths inside the renderer build', () => {
    const good: [string, string, string][] = [
      ['app://niem/', 'index.html', 'text/html; charset=utf-8'],
      ['app://niem', 'index.html', 'text/html; charset=utf-8'],
      ['app://niem/index.html?lang=en#/x', 'index.html', 'text/html; charset=utf-8'],
      ['app://niem/assets/index-4f2a.js', 'assets/index-4f2a.js', 'text/javascript; charset=utf-8'],
      ['app://niem/assets/index-4f2a.css', 'assets/index-4f2a.css', 'text/css; charset=utf-8'],
      ['app://niem/assets/Ni%C3%AAm%20logo.svg', 'assets/Niêm logo.svg', 'image/svg+xml'],
      ['app://niem/fonts/inter.woff2', 'fonts/inter.woff2', 'font/woff2'],
    ];
    for (const [url, relative, type] of good) {
      const result = resolveAppRequestPath(url, root);
      assert.ok(result.ok, url);
      if (!result.ok) continue;
      assert.equal(result.filePath, path.join(root, ...relative.split('/')));
      assert.ok(result.filePath.startsWith(root + path.sep));
      assert.equal(result.contentType, type);
    }
  });
});

describe('app protocol handler', () => {
  let base: string;
  let rendererRoot: string;
  let handler: (request: Request) => Promise<Response>;

  before(() => {
    base = mkdtempSync(path.join(tmpdir(), 'niem-app-protocol-'));
    rendererRoot = path.join(base, 'renderer');
    mkdirSync(path.join(rendererRoot, 'assets'), { recursive: true });
    mkdirSync(path.join(rendererRoot, 'folder.js'));
    writeFileSync(path.join(rendererRoot, 'index.html'), '<!doctype html><title>Niêm</title>');
    writeFileSync(path.join(rendererRoot, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(base, 'secret.txt'), 'token PIN 1234');
    symlinkSync(path.join(base, 'secret.txt'), path.join(rendererRoot, 'assets', 'escape.txt'));
    handler = createAppProtocolHandler({ rootDir: rendererRoot });
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

  it('serves index.html with the CSP, nosniff and its content type', async () => {
    const response = await get('app://niem/');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await response.text(), '<!doctype html><title>Niêm</title>');
  });

  it('serves a script as text/javascript', async () => {
    const response = await get('app://niem/assets/app.js');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
  });

  it('answers 404 for unknown files and folders, with the security headers', async () => {
    for (const url of ['app://niem/missing.js', 'app://niem/folder.js']) {
      const response = await get(url);
      assert.equal(response.status, 404, url);
      assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    }
  });

  it('does not follow a symlink out of the root', async () => {
    const response = await get('app://niem/assets/escape.txt');
    assert.equal(response.status, 404);
    assert.ok(!(await response.text()).includes('PIN'));
  });

  it('refuses traversal and other origins without reading anything', async () => {
    for (const url of [
      'app://niem/%2e%2e/secret.txt',
      'app://niem/assets%2f..%2f..%2fsecret.txt',
      'app://other/index.html',
    ]) {
      const response = await get(url);
      assert.ok(response.status >= 400, url);
      assert.ok(!(await response.text()).includes('PIN'), url);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    assert.equal((await get('app://niem/index.html', 'POST')).status, 405);
    assert.equal((await get('app://niem/index.html', 'PUT')).status, 405);
    const head = await get('app://niem/index.html', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });
});
