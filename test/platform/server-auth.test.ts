/**
 * The platform server's front door, over real TLS on 127.0.0.1 with the SQLite store:
 * signing in with a token-signed nonce, every way a forged or replayed proof is refused,
 * bearer sessions on every route, plain HTTP, and the directory with its ETag.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ChallengeReplySchema,
  SessionReplySchema,
  routes,
} from '../../native/exchange/platform-wire.ts';
import { parseCertificate } from '../../native/seal/signed-data/index.ts';
import { parseDirectory } from '../../native/vault/directory.ts';
import { startPlatform } from '../../platform/server/platform-server.ts';
import { assertRefused, call, type HttpReply } from './helpers/platform-http.ts';
import {
  G22,
  G99,
  H01,
  challenge,
  makeProof,
  signIn,
  startTestPlatform,
  type TestPlatform,
} from './helpers/platform-fixture.ts';

/** `bytes` with every occurrence of `from` replaced by `to` (same length). */
function swapBytes(bytes: Buffer, from: Buffer, to: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + to.length)) {
    to.copy(out, at);
  }
  return out;
}

function serialOf(der: Buffer): Buffer {
  return Buffer.from(parseCertificate(der).serial);
}

let clock = new Date();
let platform: TestPlatform;

before(async () => {
  platform = await startTestPlatform({ now: () => clock });
});
after(async () => platform.dispose());

const clerk = (organId: string) => {
  const found = platform.clerks.get(organId);
  assert.ok(found);
  return found;
};

async function session(proof: string): Promise<HttpReply> {
  return platform.request('POST', routes.session.path, { json: { proof } });
}

describe('signing in', () => {
  it('a clerk of the directory signs a fresh nonce and gets a 15-minute session for its agency', async () => {
    clock = new Date();
    const issued = await platform.request('POST', routes.challenge.path);
    assert.equal(issued.status, 200);
    const { nonce, expiresAt } = ChallengeReplySchema.parse(issued.json());
    assert.equal(Buffer.from(nonce, 'base64').length, 32);
    assert.equal(Date.parse(expiresAt) - clock.getTime(), 120_000);
    const reply = await session(await makeProof(platform, clerk(G22), nonce));
    assert.equal(reply.status, 200);
    const created = SessionReplySchema.parse(reply.json());
    assert.equal(created.organId, G22);
    assert.equal(Date.parse(created.expiresAt) - clock.getTime(), 15 * 60_000);
    const mailbox = await platform.request('GET', routes.mailbox.path, { token: created.token });
    assert.equal(mailbox.status, 200);
  });

  it('accepts the proof for localhost as well as 127.0.0.1 (both name this platform)', async () => {
    const port = new URL(platform.url).port;
    const nonce = await challenge(platform);
    const proof = await makeProof(platform, clerk(G99), nonce, {
      audience: `https://localhost:${port}`,
    });
    assert.equal((await session(proof)).status, 200);
  });

  it('never accepts the same nonce twice (a replayed proof)', async () => {
    const proof = await makeProof(platform, clerk(G22), await challenge(platform));
    assert.equal((await session(proof)).status, 200);
    const message = assertRefused(await session(proof), 401, 'auth-refused');
    assert.match(message, /nonce/);
  });

  it('refuses a nonce the platform never issued', async () => {
    const forged = Buffer.alloc(32, 7).toString('base64');
    const message = assertRefused(
      await session(await makeProof(platform, clerk(G22), forged)),
      401,
      'auth-refused',
    );
    assert.match(message, /nonce/);
  });

  it('refuses a nonce older than two minutes', async () => {
    clock = new Date();
    const nonce = await challenge(platform);
    clock = new Date(clock.getTime() + 121_000);
    const proof = await makeProof(platform, clerk(G22), nonce, { at: clock });
    assertRefused(await session(proof), 401, 'auth-refused');
    clock = new Date();
  });

  it('refuses a proof made for another platform (audience)', async () => {
    const proof = await makeProof(platform, clerk(G22), await challenge(platform), {
      audience: 'https://truc-khac.example:8443',
    });
    assert.match(assertRefused(await session(proof), 401, 'auth-refused'), /truc-khac/);
  });

  it('refuses a proof stamped more than five minutes away from the platform clock', async () => {
    const old = new Date(Date.now() - 6 * 60_000);
    const proof = await makeProof(platform, clerk(G22), await challenge(platform), { at: old });
    assert.match(assertRefused(await session(proof), 401, 'auth-refused'), /5 minutes/);
  });

  it('refuses a certificate of the demo CA that is not in the directory', async () => {
    const outsider = await platform.pki.clerk(G22);
    const proof = await makeProof(platform, outsider, await challenge(platform));
    assert.match(assertRefused(await session(proof), 401, 'auth-refused'), /directory/);
  });

  it('refuses a certificate listed in the directory whose chain does not reach the trust anchors', async () => {
    const foreign = await platform.pki.clerk(H01, await platform.pki.foreignCa());
    await platform.store.addCertificate(H01, foreign.der);
    try {
      const proof = await makeProof(platform, foreign, await challenge(platform));
      assert.match(assertRefused(await session(proof), 401, 'auth-refused'), /trust anchor/);
    } finally {
      await platform.store.removeCertificate(foreign.sha256);
    }
  });

  it("refuses a proof signed by another key under a directory clerk's certificate", async () => {
    // The impostor signs with its own key, then puts the directory clerk's certificate
    // (same length: same CA, same kind of key and subject) and serial in place of its own.
    const impostor = await platform.pki.clerk(G22);
    const genuine = clerk(G22);
    const signed = Buffer.from(
      await makeProof(platform, impostor, await challenge(platform)),
      'base64',
    );
    assert.equal(impostor.der.length, genuine.der.length);
    const forged = swapBytes(
      swapBytes(signed, impostor.der, genuine.der),
      serialOf(impostor.der),
      serialOf(genuine.der),
    );
    assertRefused(await session(forged.toString('base64')), 401, 'auth-refused');
  });

  it('refuses a signed statement of another type (a notice) as a proof', async () => {
    const proof = await makeProof(platform, clerk(G22), await challenge(platform), {
      type: 'niem-notice',
    });
    assertRefused(await session(proof), 401, 'auth-refused');
  });

  it('refuses a certificate whose OrganId is not the agency the directory lists it under', async () => {
    const misfiled = await platform.pki.clerk(G99);
    await platform.store.addCertificate(H01, misfiled.der);
    try {
      const proof = await makeProof(platform, misfiled, await challenge(platform));
      assert.match(assertRefused(await session(proof), 401, 'auth-refused'), /OrganId/);
    } finally {
      await platform.store.removeCertificate(misfiled.sha256);
    }
  });

  it('refuses bytes that are not a signed statement, and a body that is not the schema', async () => {
    assertRefused(
      await session(Buffer.from('not a statement').toString('base64')),
      401,
      'auth-refused',
    );
    assertRefused(
      await platform.request('POST', routes.session.path, { json: { proof: 42 } }),
      400,
      'bad-request',
    );
    assertRefused(
      await platform.request('POST', routes.session.path, {
        body: Buffer.from('{"proof":'),
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'bad-request',
    );
  });
});

describe('request bodies', () => {
  it('refuses a JSON body over 4 MiB before reading it whole', async () => {
    const big = { proof: 'A'.repeat(4 * 1024 * 1024) };
    assertRefused(
      await platform.request('POST', routes.session.path, { json: big }),
      413,
      'too-large',
    );
  });
});

describe('sessions', () => {
  const open: string[] = [routes.challenge.path, routes.session.path, routes.health.path];
  const guarded = Object.values(routes).filter((r) => !open.includes(r.path));
  const concrete = (path: string) =>
    path.replace('{sha256}', 'a'.repeat(64)).replace('{index}', '0');

  it('every route but auth and health answers unauthenticated without a bearer token', async () => {
    for (const route of guarded) {
      const reply = await platform.request(route.method, concrete(route.path));
      assertRefused(reply, 401, 'unauthenticated');
    }
    assert.equal((await platform.request('GET', routes.health.path)).status, 200);
  });

  it('refuses an unknown token and a malformed Authorization header', async () => {
    const unknown = 'A'.repeat(43);
    assertRefused(
      await platform.request('GET', routes.mailbox.path, { token: unknown }),
      401,
      'unauthenticated',
    );
    assertRefused(
      await platform.request('GET', routes.mailbox.path, {
        headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      }),
      401,
      'unauthenticated',
    );
  });

  it('ends a session after 15 minutes', async () => {
    clock = new Date();
    const token = await signIn(platform, clerk(G22));
    clock = new Date(clock.getTime() + 15 * 60_000 + 1000);
    assertRefused(
      await platform.request('GET', routes.mailbox.path, { token }),
      401,
      'unauthenticated',
    );
    clock = new Date();
  });

  it('ends the sessions of a certificate removed from the directory at once', async () => {
    const extra = await platform.pki.clerk(H01);
    await platform.store.addCertificate(H01, extra.der);
    const token = await signIn(platform, extra);
    assert.equal((await platform.request('GET', routes.mailbox.path, { token })).status, 200);
    await platform.store.removeCertificate(extra.sha256);
    assertRefused(
      await platform.request('GET', routes.mailbox.path, { token }),
      401,
      'unauthenticated',
    );
  });

  it('answers an unknown route with a not-found ErrorReply', async () => {
    assertRefused(await platform.request('GET', '/v1/admin'), 404, 'not-found');
  });
});

describe('transport', () => {
  it('does not speak plain HTTP on its TLS port', async () => {
    const plain = platform.url.replace('https://', 'http://');
    await assert.rejects(call(plain, 'GET', routes.health.path));
  });

  it('serves plain HTTP only with the development flag, and only on loopback', async () => {
    const base = {
      store: platform.store,
      port: 0,
      trustAnchors: [platform.pki.rootDer],
      receiptSigner: { signer: platform.pki.receipt.signer },
    };
    await assert.rejects(
      startPlatform({ ...base, tls: 'insecure-dev', host: '0.0.0.0' }),
      /loopback/,
    );
    const dev = await startPlatform({ ...base, tls: 'insecure-dev', host: '127.0.0.1' });
    try {
      assert.match(dev.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await call(dev.url, 'GET', routes.health.path)).status, 200);
    } finally {
      await dev.close();
    }
  });
});

describe('the directory', () => {
  it('is the vault import format with a strong ETag, and 304 while unchanged', async () => {
    const token = await signIn(platform, clerk(G22));
    const first = await platform.request('GET', routes.directory.path, { token });
    assert.equal(first.status, 200);
    const etag = first.headers.etag;
    assert.match(etag ?? '', /^"[0-9a-f]{64}"$/);
    const directory = parseDirectory(first.body.toString('utf8'));
    assert.deepEqual(
      directory.agencies.map((a) => [a.organId, a.clearance, a.certificates.length]),
      [
        [G22, 'tuyet-mat', 1],
        [G99, 'toi-mat', 1],
        [H01, 'mat', 1],
      ],
    );
    const again = await platform.request('GET', routes.directory.path, {
      token,
      headers: { 'if-none-match': etag ?? '' },
    });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);

    await platform.store.putAgency({
      organId: H01,
      name: 'Sở mới đổi tên',
      clearance: 'mat',
      keyTransport: 'ecdh',
    });
    const changed = await platform.request('GET', routes.directory.path, {
      token,
      headers: { 'if-none-match': etag ?? '' },
    });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.etag, etag);
    assert.match(changed.body.toString('utf8'), /Sở mới đổi tên/);
  });
});
