// Lifecycle pieces of Electron main that guard something: development mode never in a
// packaged app, the native process stopped then killed on quit, native events sent only
// to our own pages, and the built pieces found under the app root.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { appPaths, isDevelopmentMode } from '../../electron/app-paths.ts';
import { forwardEvent, type EventRecipient } from '../../electron/event-forwarder.ts';
import { createQuitGuard } from '../../electron/quit-guard.ts';

describe('development mode', () => {
  it('only for an unpackaged app with NIEM_DEV=1', () => {
    assert.equal(isDevelopmentMode({ isPackaged: false, env: { NIEM_DEV: '1' } }), true);
    assert.equal(isDevelopmentMode({ isPackaged: true, env: { NIEM_DEV: '1' } }), false);
    assert.equal(isDevelopmentMode({ isPackaged: false, env: {} }), false);
    for (const value of ['true', 'yes', '0', ' 1', '']) {
      assert.equal(
        isDevelopmentMode({ isPackaged: false, env: { NIEM_DEV: value } }),
        false,
        value,
      );
    }
  });
});

describe('app paths', () => {
  it('finds the bundles and the renderer under the app root', () => {
    const root = path.resolve('/opt/Niem/resources/app.asar');
    const paths = appPaths(root);
    assert.equal(paths.preload, path.join(root, 'dist', 'electron', 'preload.cjs'));
    assert.equal(paths.nativeEntry, path.join(root, 'dist', 'native', 'main.cjs'));
    assert.equal(paths.rendererRoot, path.join(root, 'dist', 'renderer'));
  });
});

describe('quit guard', () => {
  function setup(stop: () => Promise<void>, timeoutMs = 1_000) {
    const calls: string[] = [];
    const guard = createQuitGuard({
      stop: () => {
        calls.push('stop');
        return stop();
      },
      kill: () => calls.push('kill'),
      quit: () => calls.push('quit'),
      timeoutMs,
    });
    const quitEvent = () => {
      const event = { prevented: false, preventDefault: () => (event.prevented = true) };
      guard(event);
      return event;
    };
    return { calls, quitEvent };
  }

  it('holds the quit, stops the native process, kills what is left, then quits', async () => {
    const { calls, quitEvent } = setup(() => Promise.resolve());
    assert.equal(quitEvent().prevented, true);
    assert.equal(quitEvent().prevented, true, 'a second quit while stopping is held too');
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(calls, ['stop', 'kill', 'quit']);
    assert.equal(quitEvent().prevented, false, 'the final quit goes through');
  });

  it('kills and quits when stopping hangs', async () => {
    const { calls, quitEvent } = setup(() => new Promise(() => {}), 20);
    quitEvent();
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(calls, ['stop', 'kill', 'quit']);
  });

  it('kills and quits when stopping fails', async () => {
    const { calls, quitEvent } = setup(() => Promise.reject(new Error('gone')));
    quitEvent();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(calls, ['stop', 'kill', 'quit']);
  });
});

describe('event forwarding', () => {
  function recipient(url: string, destroyed = false) {
    const sent: unknown[][] = [];
    const target: EventRecipient = {
      isDestroyed: () => destroyed,
      getURL: () => url,
      send: (...args: unknown[]) => sent.push(args),
    };
    return { target, sent };
  }

  it('sends only to live pages of our origin, on niem:event:<name>', () => {
    const ours = recipient('app://niem/index.html');
    const foreign = [
      recipient('https://evil.example/'),
      recipient('app://evil/index.html'),
      recipient('about:blank'),
      recipient(''),
    ];
    const dead = recipient('app://niem/index.html', true);
    const payload = { reason: 'native-restarted' };
    const count = forwardEvent('session.locked', payload, [
      ours.target,
      dead.target,
      ...foreign.map((r) => r.target),
    ]);
    assert.equal(count, 1);
    assert.deepEqual(ours.sent, [['niem:event:session.locked', payload]]);
    for (const r of [dead, ...foreign]) assert.deepEqual(r.sent, []);
  });
});
