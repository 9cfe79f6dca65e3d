// The hardened window: its options, the guards on every web contents, the session's
// denials, and a static scan of electron/ for anything that would weaken them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  hardenSession,
  isAllowedRequest,
  type GuardedSession,
} from '../../electron/session-guard.ts';
import { guardWebContents, type GuardedContents } from '../../electron/web-contents-guard.ts';
import { hardenedWebPreferences, hardenedWindowOptions } from '../../electron/window-factory.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const electronDir = path.join(repoRoot, 'electron');

describe('window options', () => {
  const input = { preloadPath: '/app/dist/electron/preload.cjs', development: false };

  it('has every hardened setting', () => {
    const prefs = hardenedWebPreferences(input);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.experimentalFeatures, false);
    assert.equal(prefs.spellcheck, false);
    assert.equal(prefs.navigateOnDragDrop, false);
    assert.equal(prefs.safeDialogs, true);
    assert.equal(prefs.plugins, false);
    assert.equal(prefs.preload, input.preloadPath);
    assert.ok(!('enableBlinkFeatures' in prefs));
    assert.ok(!('additionalArguments' in prefs));
    assert.ok(
      !('partition' in prefs) && !('session' in prefs),
      'windows use the hardened default session',
    );
  });

  it('allows devtools only in development', () => {
    assert.equal(hardenedWebPreferences(input).devTools, false);
    assert.equal(hardenedWebPreferences({ ...input, development: true }).devTools, true);
  });

  it('the window options carry exactly these preferences', () => {
    const options = hardenedWindowOptions(input);
    assert.deepEqual(options.webPreferences, hardenedWebPreferences(input));
    assert.equal(options.show, false);
  });
});

type Listener = (...args: unknown[]) => void;

function fakeContents() {
  const listeners = new Map<string, Listener[]>();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  const contents = {
    on(name: string, listener: Listener) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return contents;
    },
    setWindowOpenHandler(handler: typeof openHandler) {
      openHandler = handler;
    },
  };
  const fire = (name: string, ...args: unknown[]) => {
    for (const listener of listeners.get(name) ?? []) listener(...args);
  };
  const navigationEvent = (url: string) => {
    const event = { url, prevented: false, preventDefault: () => (event.prevented = true) };
    return event;
  };
  return {
    guarded: contents as unknown as GuardedContents,
    listeners,
    fire,
    navigationEvent,
    open: (url: string) => openHandler?.({ url }),
  };
}

describe('web contents guard', () => {
  const foreign = [
    'https://evil.example/',
    'http://127.0.0.1:3000/',
    'file:///etc/passwd',
    'app://evil/index.html',
    'data:text/html,hi',
    'about:blank',
    'javascript:alert(1)',
    'garbage',
  ];

  for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
    it(`${name}: foreign targets are prevented, our origin is not`, () => {
      const fake = fakeContents();
      guardWebContents(fake.guarded);
      for (const url of foreign) {
        const event = fake.navigationEvent(url);
        fake.fire(name, event);
        assert.equal(event.prevented, true, `${name} to ${url}`);
      }
      const ours = fake.navigationEvent('app://niem/index.html#/identity');
      fake.fire(name, ours);
      assert.equal(ours.prevented, false);
    });
  }

  it('denies window.open for every URL, even ours', () => {
    const fake = fakeContents();
    guardWebContents(fake.guarded);
    for (const url of [...foreign, 'app://niem/index.html']) {
      assert.deepEqual(fake.open(url), { action: 'deny' });
    }
  });

  it('refuses webview attachment and cancels Bluetooth device selection', () => {
    const fake = fakeContents();
    guardWebContents(fake.guarded);
    const attach = fake.navigationEvent('app://niem/index.html');
    fake.fire('will-attach-webview', attach, {}, {});
    assert.equal(attach.prevented, true);
    const select = fake.navigationEvent('');
    const picked: string[] = [];
    fake.fire('select-bluetooth-device', select, [{ deviceId: 'x' }], (id: string) =>
      picked.push(id),
    );
    assert.equal(select.prevented, true);
    assert.deepEqual(picked, ['']);
  });

  it('attaches once per web contents', () => {
    const fake = fakeContents();
    guardWebContents(fake.guarded);
    guardWebContents(fake.guarded);
    assert.equal(fake.listeners.get('will-navigate')?.length, 1);
  });
});

describe('session guard', () => {
  function fakeSession() {
    const handlers: Record<string, unknown> = {};
    const listeners = new Map<string, Listener>();
    const session = {
      setPermissionRequestHandler: (h: unknown) => (handlers.request = h),
      setPermissionCheckHandler: (h: unknown) => (handlers.check = h),
      setDevicePermissionHandler: (h: unknown) => (handlers.device = h),
      setSpellCheckerEnabled: (on: boolean) => (handlers.spellcheck = on),
      on: (name: string, listener: Listener) => listeners.set(name, listener),
      webRequest: { onBeforeRequest: (h: unknown) => (handlers.beforeRequest = h) },
    };
    hardenSession(session as unknown as GuardedSession, { development: false });
    return { handlers, listeners };
  }

  it('denies every permission request and check', () => {
    const { handlers } = fakeSession();
    for (const permission of [
      'media',
      'notifications',
      'clipboard-read',
      'hid',
      'usb',
      'openExternal',
    ]) {
      let granted: boolean | undefined;
      (handlers.request as Listener)({}, permission, (ok: boolean) => (granted = ok), {});
      assert.equal(granted, false, permission);
      assert.equal(
        (handlers.check as (...a: unknown[]) => boolean)({}, permission, 'app://niem', {}),
        false,
      );
    }
    assert.equal((handlers.device as (...a: unknown[]) => boolean)({ deviceType: 'usb' }), false);
    assert.equal(handlers.spellcheck, false);
  });

  it('cancels device choosers and downloads', () => {
    const { listeners } = fakeSession();
    for (const name of [
      'select-hid-device',
      'select-usb-device',
      'select-serial-port',
      'will-download',
    ]) {
      const event = { prevented: false, preventDefault: () => (event.prevented = true) };
      const picked: unknown[] = [];
      const pick = (id?: unknown) => picked.push(id);
      const listener = listeners.get(name);
      assert.ok(listener, name);
      if (name === 'select-serial-port') listener(event, [{ portId: 'p' }], {}, pick);
      else if (name === 'will-download') listener(event, { getURL: () => 'app://niem/x.txt' }, {});
      else listener(event, { deviceList: [{ deviceId: 'd' }] }, pick);
      assert.equal(event.prevented, true, name);
      assert.ok(
        picked.every((id) => id === undefined || id === null || id === ''),
        name,
      );
    }
  });

  it('cancels every web request that is not to our origin', () => {
    const { handlers } = fakeSession();
    const decide = (url: string, resourceType = 'xhr') => {
      let cancel: boolean | undefined;
      (handlers.beforeRequest as Listener)(
        { url, resourceType },
        (r: { cancel: boolean }) => (cancel = r.cancel),
      );
      return cancel;
    };
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:8080/api',
      'ws://127.0.0.1:9/',
      'file:///etc/passwd',
      'app://evil/x.js',
      'devtools://devtools/bundled/inspector.html',
    ]) {
      assert.equal(decide(url), true, url);
    }
    assert.equal(decide('app://niem/assets/index.js', 'script'), false);
    assert.equal(decide('data:image/png;base64,AAAA', 'image'), false);
    assert.equal(decide('data:text/html,hi', 'mainFrame'), true);
    assert.equal(decide('data:text/html,hi', 'subFrame'), true);
  });

  it('lets the devtools front end load only in development', () => {
    const url = 'devtools://devtools/bundled/inspector.html';
    assert.equal(isAllowedRequest({ url }, { development: false }), false);
    assert.equal(isAllowedRequest({ url }, { development: true }), true);
  });
});

function electronSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return electronSources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('static scan of electron/', () => {
  const files = electronSources(electronDir).map((file) => ({
    rel: path.relative(repoRoot, file).split(path.sep).join('/'),
    text: readFileSync(file, 'utf8'),
  }));

  it('finds the sources', () => {
    assert.ok(files.some((f) => f.rel === 'electron/main.ts'));
    assert.ok(files.some((f) => f.rel === 'electron/preload/preload.ts'));
  });

  it('constructs exactly one BrowserWindow, in the window factory', () => {
    const sites = files.flatMap((f) =>
      [...f.text.matchAll(/new\s+BrowserWindow\s*\(/g)].map(() => f.rel),
    );
    assert.deepEqual(sites, ['electron/window-factory-electron.ts']);
  });

  it('weakens no web preference anywhere', () => {
    const weakenings = [
      /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/,
      /contextIsolation\s*:\s*false/,
      /sandbox\s*:\s*false/,
      /webSecurity\s*:\s*false/,
      /allowRunningInsecureContent\s*:\s*true/,
      /webviewTag\s*:\s*true/,
      /experimentalFeatures\s*:\s*true/,
      /enableBlinkFeatures\s*:/,
      /enableRemoteModule\s*:/,
    ];
    for (const { rel, text } of files) {
      for (const pattern of weakenings) assert.doesNotMatch(text, pattern, `${rel}: ${pattern}`);
    }
  });

  it('never loads file: URLs, never opens external URLs, never escapes the sandbox', () => {
    for (const { rel, text } of files) {
      assert.doesNotMatch(text, /file:\/\//, rel);
      assert.doesNotMatch(text, /\.loadFile\s*\(/, rel);
      assert.doesNotMatch(text, /shell\s*\.\s*openExternal/, rel);
      assert.doesNotMatch(text, /appendSwitch\s*\(\s*['"]no-sandbox/, rel);
      assert.doesNotMatch(text, /disable-web-security/, rel);
    }
  });

  it('the preload exposes one key, niem, and never ipcRenderer itself', () => {
    const preload = files.find((f) => f.rel === 'electron/preload/preload.ts')?.text ?? '';
    const exposed = [...preload.matchAll(/exposeInMainWorld\(\s*['"]([^'"]+)['"]\s*,\s*(\w+)/g)];
    assert.deepEqual(
      exposed.map((m) => [m[1], m[2]]),
      [['niem', 'niem']],
    );
  });
});
