// The Content-Security-Policy (electron/csp.ts): strict, and sent on every app response.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../electron/csp.ts';

function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    assert.ok(!map.has(name), `directive ${name} appears twice`);
    map.set(name, sources);
  }
  return map;
}

describe('content security policy', () => {
  const policy = directives(CONTENT_SECURITY_POLICY);
  const allSources = [...policy.values()].flat();

  it("defaults to 'none'", () => {
    assert.deepEqual(policy.get('default-src'), ["'none'"]);
  });

  it('has no unsafe keyword, wildcard, remote scheme or nonce escape hatch', () => {
    for (const source of allSources) {
      assert.doesNotMatch(
        source,
        /unsafe-|\*|^https?:|^wss?:|^blob:|^filesystem:|^'nonce-|^'sha\d+-|strict-dynamic/i,
        source,
      );
    }
    assert.doesNotMatch(
      CONTENT_SECURITY_POLICY,
      /unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval/,
    );
  });

  it('loads scripts, styles, fonts and connections only from the page origin', () => {
    for (const name of ['script-src', 'style-src', 'font-src', 'connect-src']) {
      assert.deepEqual(policy.get(name), ["'self'"], name);
    }
    assert.deepEqual(policy.get('img-src'), ["'self'", 'data:']);
  });

  it('locks base URI, forms, framing and plugins', () => {
    for (const name of ['base-uri', 'form-action', 'frame-ancestors', 'object-src']) {
      assert.deepEqual(policy.get(name), ["'none'"], name);
    }
  });

  it('is sent with nosniff and the other security headers', () => {
    assert.equal(SECURITY_HEADERS['Content-Security-Policy'], CONTENT_SECURITY_POLICY);
    assert.equal(SECURITY_HEADERS['X-Content-Type-Options'], 'nosniff');
    assert.equal(SECURITY_HEADERS['X-Frame-Options'], 'DENY');
    assert.ok(Object.isFrozen(SECURITY_HEADERS));
  });
});
