/**
 * Signed statements (auth proof, receipt, notice): signStatement / verifyStatement with
 * software keys of a throwaway PKI. Round trips for each statement type and key type,
 * `openssl cms -verify` reading a statement, and refusals a forger or a confused peer
 * would meet: another statement type, tampered content, a signer from another root, two
 * signers, a second certificate with the signer's serial, oversize, not JSON, a schema
 * violation, and a statement the signer was not allowed to make in the first place.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NiemError, type ErrorKind } from '../../native/api/errors.ts';
import {
  MAX_STATEMENT_BYTES,
  type AuthStatement,
  type NoticeStatement,
  type ReceiptStatement,
} from '../../native/exchange/platform-wire.ts';
import { signStatement, verifyStatement } from '../../native/exchange/signed-statement.ts';
import type { LevelCode } from '../../native/seal/levels.ts';
import {
  signContent,
  softwareSigner,
  type SignerSpec,
} from '../../native/seal/signed-data/index.ts';
import { makeSignedDataPki, openssl, type SignedDataPki } from './seal-signed-data-pki.ts';

let pki: SignedDataPki;
before(() => {
  pki = makeSignedDataPki();
});
after(() => pki.cleanup());

const SHA = 'ab'.repeat(32);
const at = '2026-03-01T08:00:00.000Z';

const auth = (): AuthStatement => ({
  type: 'niem-auth',
  version: 1,
  nonce: Buffer.alloc(32, 7).toString('base64'),
  audience: 'https://truc.example:8443',
  at,
});

const receipt = (): ReceiptStatement => ({
  type: 'niem-receipt',
  version: 1,
  sha256: SHA,
  size: 123_456,
  level: 'mat',
  sender: '000.00.00.G22',
  senderCertificate: 'cd'.repeat(32),
  recipients: ['000.00.00.H26', '000.00.01.H26'],
  receivedAt: at,
  platform: 'truc-lien-thong.demo',
});

const notice = (): NoticeStatement => ({
  type: 'niem-notice',
  version: 1,
  sha256: SHA,
  status: '02',
  from: '000.00.00.H26',
  to: '000.00.00.G22',
  at,
  reason: 'Thiếu chữ ký của thủ trưởng cơ quan',
});

const p256 = (): SignerSpec => softwareSigner(pki.p256.key, pki.p256.der);

/** A SignedData over arbitrary content bytes (what a forger or a buggy peer could send). */
async function signRaw(
  content: Uint8Array,
  signers: SignerSpec[],
  certificates: Uint8Array[] = pki.intermediates,
  level: LevelCode = 'thuong',
): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const part of signContent({ content: [content], signers, level, certificates })) {
    parts.push(Buffer.from(part));
  }
  return Buffer.concat(parts);
}

async function refused(promise: Promise<unknown>, kind: ErrorKind, message?: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof NiemError, String(err));
    assert.equal(err.kind, kind, err.message);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

const anchors = (): Uint8Array[] => [pki.root.der];

/** A self-signed certificate of about 33 KB (a long private extension). */
function bulkyCertificate(name: string): Uint8Array {
  const key = join(pki.dir, `bulky-${name}.key`);
  // prettier-ignore
  const pem = openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-keyout', key, '-subj', `/CN=bulky ${name}`, '-days', '2',
    '-addext', `1.3.6.1.4.1.99999.1=ASN1:UTF8String:${name.repeat(33_000)}`]);
  return new Uint8Array(new X509Certificate(pem).raw);
}

describe('signed statements: round trip', () => {
  it('an auth proof signed by a clerk key verifies and names its signer', async () => {
    const der = await signStatement(p256(), auth(), {
      level: 'thuong',
      certificates: pki.intermediates,
    });
    assert.ok(der.length < MAX_STATEMENT_BYTES);
    const v = await verifyStatement(der, { type: 'niem-auth', trustAnchors: anchors() });
    assert.deepEqual(v.statement, auth());
    assert.deepEqual(Buffer.from(v.certificate), Buffer.from(pki.p256.der));
    assert.match(v.certificateSha256, /^[0-9a-f]{64}$/);
    assert.equal(v.organId, 'MST:0100000001');
    assert.equal(v.level, 'thuong');
  });

  const signers: [string, () => SignerSpec][] = [
    ['RSA-3072', () => softwareSigner(pki.rsa.key, pki.rsa.der)],
    ['EC P-256', p256],
    ['EC P-384', () => softwareSigner(pki.p384.key, pki.p384.der)],
  ];
  for (const [name, signer] of signers) {
    it(`a receipt and a notice round-trip with ${name}, labelled with the package level`, async () => {
      const r = await signStatement(signer(), receipt(), {
        level: 'mat',
        certificates: pki.intermediates,
      });
      const vr = await verifyStatement(r, { type: 'niem-receipt', trustAnchors: anchors() });
      assert.deepEqual(vr.statement, receipt());
      assert.equal(vr.level, 'mat');
      const n = await signStatement(signer(), notice(), {
        level: 'mat',
        certificates: pki.intermediates,
      });
      const vn = await verifyStatement(n, { type: 'niem-notice', trustAnchors: anchors() });
      assert.equal(vn.statement.reason, 'Thiếu chữ ký của thủ trưởng cơ quan');
    });
  }

  it('openssl cms -verify reads a statement and yields its JSON', async () => {
    const der = await signStatement(p256(), receipt(), {
      level: 'mat',
      certificates: pki.intermediates,
    });
    const file = join(pki.dir, 'receipt.der');
    writeFileSync(file, der);
    const out = openssl([
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-binary',
      '-in',
      file,
      '-CAfile',
      pki.rootPem,
    ]);
    assert.deepEqual(JSON.parse(out.toString('utf8')), receipt());
  });
});

describe('signed statements: refusals', () => {
  it('a statement of another type is malformed (a notice offered as a receipt)', async () => {
    const der = await signStatement(p256(), notice(), {
      level: 'mat',
      certificates: pki.intermediates,
    });
    await refused(
      verifyStatement(der, { type: 'niem-receipt', trustAnchors: anchors() }),
      'malformed',
      /not a niem-receipt/,
    );
  });

  it('tampered content (one byte of the JSON changed) is tampered', async () => {
    const der = Buffer.from(
      await signStatement(p256(), receipt(), { level: 'mat', certificates: pki.intermediates }),
    );
    const at = der.indexOf(Buffer.from('"size":123456'));
    assert.ok(at > 0);
    der[at + 8] = '9'.charCodeAt(0); // 123456 → 923456: still valid JSON, a bigger package
    await refused(
      verifyStatement(der, { type: 'niem-receipt', trustAnchors: anchors() }),
      'tampered',
    );
  });

  it('a signer chaining to another root is untrusted-signer', async () => {
    const der = await signStatement(softwareSigner(pki.stranger.key, pki.stranger.der), receipt(), {
      level: 'mat',
    });
    await refused(
      verifyStatement(der, { type: 'niem-receipt', trustAnchors: anchors() }),
      'untrusted-signer',
    );
    // The same statement checks against the stranger's own root: the refusal was the chain.
    const v = await verifyStatement(der, {
      type: 'niem-receipt',
      trustAnchors: [pki.otherRoot.der],
    });
    assert.equal(v.statement.sha256, SHA);
  });

  it('two signers over one statement are malformed', async () => {
    const content = Buffer.from(JSON.stringify(receipt()));
    const der = await signRaw(content, [p256(), softwareSigner(pki.p384.key, pki.p384.der)]);
    await refused(
      verifyStatement(der, { type: 'niem-receipt', trustAnchors: anchors() }),
      'malformed',
      /one signer/,
    );
  });

  it("a second certificate with the signer's issuer and serial is refused", async () => {
    const content = Buffer.from(JSON.stringify(receipt()));
    const der = await signRaw(content, [p256()], [...pki.intermediates, pki.p256Twin.der]);
    await refused(
      verifyStatement(der, { type: 'niem-receipt', trustAnchors: anchors() }),
      'malformed',
      /no other with its serial/,
    );
  });

  it('an oversize statement is refused by both sides', async () => {
    const big = Buffer.from(JSON.stringify({ ...receipt(), pad: 'x'.repeat(70_000) }));
    const der = await signRaw(big, [p256()]);
    assert.ok(der.length > MAX_STATEMENT_BYTES);
    await refused(
      verifyStatement(der, { type: 'niem-receipt', trustAnchors: anchors() }),
      'malformed',
      /too large/,
    );
    // The signer refuses to make one: two 33 KB certificates carried push it past 64 KiB.
    await refused(
      signStatement(p256(), receipt(), {
        level: 'mat',
        certificates: [bulkyCertificate('a'), bulkyCertificate('b')],
      }),
      'invalid-input',
      /too large/,
    );
  });

  it('content that is not JSON is malformed', async () => {
    const der = await signRaw(Buffer.from('niem-receipt sha256=' + SHA), [p256()]);
    await refused(
      verifyStatement(der, { type: 'niem-receipt', trustAnchors: anchors() }),
      'malformed',
      /not JSON/,
    );
  });

  it('JSON that breaks the schema is malformed (extra field, bad hash, wrong version)', async () => {
    const variants: unknown[] = [
      { ...receipt(), extra: true },
      { ...receipt(), sha256: SHA.toUpperCase() },
      { ...receipt(), version: 2 },
      { ...receipt(), recipients: [] },
    ];
    for (const v of variants) {
      const der = await signRaw(Buffer.from(JSON.stringify(v)), [p256()]);
      await refused(
        verifyStatement(der, { type: 'niem-receipt', trustAnchors: anchors() }),
        'malformed',
        /not a niem-receipt/,
      );
    }
  });

  it('signStatement refuses to sign a statement that breaks its schema', async () => {
    const bad = { ...notice(), status: '99' } as unknown as NoticeStatement;
    await refused(signStatement(p256(), bad, { level: 'mat' }), 'invalid-input');
  });

  it('bytes that are not a SignedData at all are malformed', async () => {
    await assert.rejects(
      verifyStatement(Buffer.from(JSON.stringify(receipt())), {
        type: 'niem-receipt',
        trustAnchors: anchors(),
      }),
      (err: unknown) => err instanceof NiemError && err.kind === 'malformed',
    );
  });
});
