// Attacks on the IPC gate (electron/ipc-gate.ts): each must be refused with
// `invalid-input` before anything runs, so the `call` spy is never invoked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MethodName } from '../../native/api/contract.ts';
import type { Result } from '../../native/api/errors.ts';
import { appOrigin } from '../../electron/app-origin.ts';
import { createIpcGate, senderOf } from '../../electron/ipc-gate.ts';

const APP = { url: 'app://niem/index.html', isMainFrame: true };
const TOKEN = '0123456789abcdef';
const PIN = 'S3cret-PIN-4711';

function makeGate() {
  const calls: { method: MethodName; params: unknown }[] = [];
  const logs: string[] = [];
  const gate = createIpcGate({
    appOrigin,
    log: (line) => logs.push(line),
    call: (method, params) => {
      calls.push({ method, params });
      return Promise.resolve({ ok: true, value: { echoed: method } });
    },
  });
  return { gate, calls, logs };
}

function assertRefused(result: Result<unknown>, pattern?: RegExp): void {
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.error.kind, 'invalid-input');
  if (pattern) assert.match(result.error.message, pattern);
}

describe('IPC gate: channels', () => {
  const bad = [
    'niem:tokens.delete',
    'tokens.list',
    'niem-tokens.list',
    ':tokens.list',
    'NIEM:tokens.list',
    'niem:',
    'niem:__proto__',
    'niem:constructor',
    'niem:toString',
    'niem:hasOwnProperty',
    'niem:valueOf',
    'niem:event:tokens.changed',
    'niem:tokens.list ',
    'niem:tokens.list\u0000',
    `niem:${'a'.repeat(500)}`,
    '',
  ];
  for (const channel of bad) {
    it(`refuses ${JSON.stringify(channel.slice(0, 40))}`, async () => {
      const { gate, calls } = makeGate();
      assertRefused(await gate.handle(channel, APP, [{}]), /unknown channel/);
      assert.equal(calls.length, 0);
    });
  }

  it('refuses non-string channels', async () => {
    const { gate, calls } = makeGate();
    for (const channel of [undefined, null, 42, {}, ['niem:tokens.list'], Symbol('x')]) {
      assertRefused(await gate.handle(channel, APP, []), /unknown channel/);
    }
    assert.equal(calls.length, 0);
  });
});

describe('IPC gate: senders', () => {
  const foreign = [
    'https://evil.example/',
    'https://evil.example/index.html',
    'http://127.0.0.1:8080/index.html',
    'http://niem/index.html',
    'file:///work/main/dist/renderer/index.html',
    'file:///etc/passwd',
    'app://evil/index.html',
    'app://niem.evil/index.html',
    'app://niem:8080/index.html',
    'app://user@niem/index.html',
    'app://niem@evil/index.html',
    'app://NIEM/index.html',
    'data:text/html,<script>niem.tokens.list()</script>',
    'about:blank',
    'blob:app://niem/0c1d2e3f',
    'javascript:alert(1)',
    'devtools://devtools/bundled/inspector.html',
    'chrome-extension://abc/index.html',
    'not a url',
    '',
    '://niem',
    'app:niem/index.html',
  ];
  for (const url of foreign) {
    it(`refuses a main frame at ${JSON.stringify(url.slice(0, 50))}`, async () => {
      const { gate, calls } = makeGate();
      assertRefused(
        await gate.handle('niem:tokens.list', { url, isMainFrame: true }, [{}]),
        /sender/,
      );
      assert.equal(calls.length, 0);
    });
  }

  it('refuses a sub-frame even on our origin', async () => {
    const { gate, calls } = makeGate();
    const sub = { url: 'app://niem/index.html', isMainFrame: false };
    assertRefused(await gate.handle('niem:tokens.list', sub, [{}]), /sub-frame/);
    assert.equal(calls.length, 0);
  });

  it('refuses malformed sender descriptions', async () => {
    const { gate, calls } = makeGate();
    const senders = [
      undefined,
      null,
      'app://niem/index.html',
      {},
      { url: 'app://niem/index.html' },
      { url: 'app://niem/index.html', isMainFrame: 'yes' },
      { url: 42, isMainFrame: true },
    ];
    for (const sender of senders) {
      assertRefused(await gate.handle('niem:tokens.list', sender, [{}]), /sender/);
    }
    assert.equal(calls.length, 0);
  });

  it('reads the sender from an invoke event: gone frames and sub-frames are not main', () => {
    const mainFrame = { url: 'app://niem/index.html', parent: null };
    assert.deepEqual(senderOf({ senderFrame: mainFrame, sender: { mainFrame } }), {
      url: 'app://niem/index.html',
      isMainFrame: true,
    });
    const child = { url: 'app://niem/frame.html', parent: mainFrame };
    assert.equal(senderOf({ senderFrame: child, sender: { mainFrame } }).isMainFrame, false);
    assert.deepEqual(senderOf({ senderFrame: null, sender: { mainFrame } }), {
      url: '',
      isMainFrame: false,
    });
  });
});

describe('IPC gate: arguments', () => {
  const cases: { name: string; channel: string; args: unknown }[] = [
    { name: 'two arguments', channel: 'niem:tokens.list', args: [{}, {}] },
    {
      name: 'two arguments with a valid first',
      channel: 'niem:session.login',
      args: [{ token: TOKEN, pin: PIN }, 'extra'],
    },
    { name: 'args not an array', channel: 'niem:tokens.list', args: { 0: {} } },
    { name: 'extra key on a no-params method', channel: 'niem:tokens.list', args: [{ all: true }] },
    { name: 'params a string', channel: 'niem:tokens.list', args: ['{}'] },
    { name: 'params null', channel: 'niem:session.current', args: [null] },
    { name: 'params an array', channel: 'niem:session.logout', args: [[]] },
    { name: 'login without params', channel: 'niem:session.login', args: [] },
    { name: 'login PIN missing', channel: 'niem:session.login', args: [{ token: TOKEN }] },
    {
      name: 'login PIN a number',
      channel: 'niem:session.login',
      args: [{ token: TOKEN, pin: 1234 }],
    },
    {
      name: 'login PIN with a control character',
      channel: 'niem:session.login',
      args: [{ token: TOKEN, pin: `${PIN}\n` }],
    },
    {
      name: 'login PIN with NUL',
      channel: 'niem:session.login',
      args: [{ token: TOKEN, pin: `12\u000034` }],
    },
    {
      name: 'login PIN over 64 characters',
      channel: 'niem:session.login',
      args: [{ token: TOKEN, pin: '7'.repeat(65) }],
    },
    { name: 'login PIN empty', channel: 'niem:session.login', args: [{ token: TOKEN, pin: '' }] },
    {
      name: 'login PIN non-ASCII',
      channel: 'niem:session.login',
      args: [{ token: TOKEN, pin: 'mật-khẩu' }],
    },
    {
      name: 'login token not 16 hex digits',
      channel: 'niem:session.login',
      args: [{ token: '../../etc/passwd', pin: PIN }],
    },
    {
      name: 'login extra key',
      channel: 'niem:session.login',
      args: [{ token: TOKEN, pin: PIN, module: '/tmp/evil.so' }],
    },
    {
      name: 'login with a __proto__ key',
      channel: 'niem:session.login',
      args: [JSON.parse(`{"token":"${TOKEN}","pin":"${PIN}","__proto__":{"admin":true}}`)],
    },
  ];
  for (const { name, channel, args } of cases) {
    it(`refuses ${name}`, async () => {
      const { gate, calls } = makeGate();
      assertRefused(await gate.handle(channel, APP, args));
      assert.equal(calls.length, 0);
    });
  }

  it('never puts a refused PIN in a log line or the error message', async () => {
    const { gate, calls, logs } = makeGate();
    const secret = 'Hunter2-Secret';
    const attempts = [`${secret}\u0007`, secret.repeat(6), `${secret}\r\n`];
    for (const pin of attempts) {
      const result = await gate.handle('niem:session.login', APP, [{ token: TOKEN, pin }]);
      assertRefused(result);
      if (!result.ok) assert.ok(!result.error.message.includes(secret), result.error.message);
    }
    assert.equal(calls.length, 0);
    assert.ok(logs.length >= attempts.length);
    for (const line of logs) assert.ok(!line.includes(secret), line);
    assert.ok(logs.some((line) => line.includes('pin') && line.includes('[redacted]')));
  });
});

describe('IPC gate: accepted calls', () => {
  it('passes the parsed params of a valid login through, once', async () => {
    const { gate, calls, logs } = makeGate();
    const result = await gate.handle('niem:session.login', APP, [{ token: TOKEN, pin: PIN }]);
    assert.deepEqual(result, { ok: true, value: { echoed: 'session.login' } });
    assert.deepEqual(calls, [{ method: 'session.login', params: { token: TOKEN, pin: PIN } }]);
    assert.ok(!logs.some((line) => line.includes(PIN)));
  });

  it('treats absent or undefined params as {}', async () => {
    const { gate, calls } = makeGate();
    assert.equal((await gate.handle('niem:tokens.list', APP, [])).ok, true);
    assert.equal((await gate.handle('niem:session.current', APP, [undefined])).ok, true);
    assert.deepEqual(calls, [
      { method: 'tokens.list', params: {} },
      { method: 'session.current', params: {} },
    ]);
  });

  it('accepts any page of our origin, with a query or fragment', async () => {
    const { gate, calls } = makeGate();
    const sender = { url: 'app://niem/index.html?lang=en#/identity', isMainFrame: true };
    assert.equal((await gate.handle('niem:session.logout', sender, [{}])).ok, true);
    assert.equal(calls.length, 1);
  });

  it('turns a throwing call into an error result instead of rejecting', async () => {
    const gate = createIpcGate({
      appOrigin,
      call: () => Promise.reject(new Error('boom')),
    });
    const result = await gate.handle('niem:tokens.list', APP, []);
    assert.deepEqual(result, { ok: false, error: { kind: 'internal', message: 'boom' } });
  });
});
