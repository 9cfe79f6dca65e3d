/**
 * Co-signed packages (issue 4): the competent person signs the documents (signPackage,
 * `niem sign`), the organisation adds its signature and seals (sealSignedPackage). The
 * recipient sees both signers valid, openssl verifies both, and every attempt to pass
 * off a changed, untrusted or re-levelled body is refused with nothing written.
 */
import assert from 'node:assert/strict';
import { X509Certificate, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { openPackage, sealSignedPackage, signPackage } from '../../native/seal/pipeline/index.ts';
import { signContent, softwareSigner } from '../../native/seal/signed-data/index.ts';
import { makeTestPki, type TestPki } from './seal-cms-crypto-pki.ts';
import { makeSignedDataPki, openssl, type SignedDataPki } from './seal-signed-data-pki.ts';

let sd: SignedDataPki;
let rc: TestPki;
let work: string;
const letter = randomBytes(3 * 1024 * 1024 + 17); // beyond 1 MiB: the worker digests
const at = (name: string) => path.join(work, name);

before(() => {
  sd = makeSignedDataPki();
  rc = makeTestPki();
  work = mkdtempSync(path.join(tmpdir(), 'niem-cosign-'));
  writeFileSync(at('cong-van.pdf'), letter);
  writeFileSync(at('phu-luc.txt'), 'Phụ lục: danh sách đơn vị nhận.\n');
});
after(() => {
  sd.cleanup();
  rc.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const leader = () => softwareSigner(sd.rsa.key, sd.rsa.der);
const organisation = () => softwareSigner(sd.p384.key, sd.p384.der);
const kindOf = (err: unknown) => (err instanceof NiemError ? err.kind : String(err));

async function signedBody(name: string, level: 'mat' | 'toi-mat' = 'mat'): Promise<string> {
  const out = at(name);
  await signPackage({
    files: [at('cong-van.pdf'), at('phu-luc.txt')],
    metadata: { subject: 'Về việc phối hợp bảo vệ bí mật nhà nước' },
    level,
    signers: [leader()],
    certificates: sd.intermediates,
    out,
  });
  return out;
}

function seal(
  signed: string,
  out: string,
  level: 'mat' | 'toi-mat' = 'mat',
  anchors = [sd.root.der],
) {
  return sealSignedPackage({
    signed,
    trustAnchors: anchors,
    level,
    signers: [organisation()],
    sender: { certificate: readFileSync(rc.rsa.certPath, 'utf8') },
    recipients: [{ certificate: readFileSync(rc.p256.certPath, 'utf8') }],
    out,
  });
}

describe('co-signed packages: competent person, then organisation', () => {
  it('the recipient sees both signers valid and the documents byte for byte', async () => {
    const signed = await signedBody('body.p7s');
    const sealed = await seal(signed, at('both.p7m'));
    assert.equal(sealed.body.signers.length, 1, 'the body had one signer');
    const out = at('opened');
    const report = await openPackage({
      path: at('both.p7m'),
      keys: [rc.p256.key],
      trustAnchors: [sd.root.der],
      outDir: out,
    });
    assert.equal(report.committed, true);
    const signers = report.signedData?.signers ?? [];
    assert.equal(signers.length, 2);
    assert.deepEqual(
      signers.map((s) => s.verdict),
      ['valid', 'valid'],
    );
    assert.deepEqual(
      signers.map((s) => s.level),
      ['mat', 'mat'],
    );
    // The report shows the serial's DER bytes (a 00 sign byte when the top bit is set: half
    // of random serials); Node shows the integer. Same serial either way.
    const serials = signers.map((s) => s.serialNumber?.replace(/^00(?=[89A-F])/, '')).sort();
    const expected = [sd.rsa.der, sd.p384.der].map((d) => new X509Certificate(d).serialNumber);
    assert.deepEqual(serials, expected.sort());
    assert.deepEqual(readFileSync(path.join(out, 'cong-van.pdf')), letter);
  });

  it('openssl decrypts it and verifies both signatures against the CA', async () => {
    const signed = await signedBody('body-ossl.p7s');
    await seal(signed, at('ossl.p7m'));
    // prettier-ignore
    const inner = openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', at('ossl.p7m'),
      '-recip', rc.p256.certPath, '-inkey', rc.p256.keyPath]);
    writeFileSync(at('ossl-inner.der'), inner);
    // prettier-ignore
    const body = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', at('ossl-inner.der'),
      '-CAfile', sd.rootPem, '-purpose', 'any']);
    assert.ok(body.includes(Buffer.from('manifest.json')), 'the tar body comes out');
    const printed = openssl([
      'cms',
      '-cmsout',
      '-print',
      '-inform',
      'DER',
      '-in',
      at('ossl-inner.der'),
    ]);
    assert.equal((printed.toString('latin1').match(/d\.issuerAndSerialNumber/g) ?? []).length, 2);
  });

  it('refuses to seal at another level than the body was signed at; nothing written', async () => {
    const signed = await signedBody('body-level.p7s', 'mat');
    await assert.rejects(
      seal(signed, at('level.p7m'), 'toi-mat'),
      (err) => kindOf(err) === 'invalid-input',
    );
    assert.equal(existsSync(at('level.p7m')), false);
    assert.equal(existsSync(at('level.p7m.partial')), false);
  });

  it('refuses a body whose signer does not chain to the trust anchors', async () => {
    const signed = await signedBody('body-untrusted.p7s');
    await assert.rejects(
      seal(signed, at('untrusted.p7m'), 'mat', [sd.otherRoot.der]),
      (err) => kindOf(err) === 'untrusted-signer',
    );
    assert.equal(existsSync(at('untrusted.p7m')), false);
  });

  it('refuses a changed body (a byte flipped in a document); nothing written', async () => {
    const signed = await signedBody('body-flip.p7s');
    const bytes = readFileSync(signed);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0x40;
    writeFileSync(signed, bytes);
    await assert.rejects(seal(signed, at('flip.p7m')), (err) =>
      ['tampered', 'malformed'].includes(kindOf(err)),
    );
    assert.deepEqual(
      readdirSync(work).filter((n) => n.startsWith('flip.p7m')),
      [],
      'no package and no partial',
    );
  });

  it('a co-signature over content that digests differently from the verified body is tampered', async () => {
    const signed = await signedBody('body-parts.p7s');
    let parts;
    const { verifySignedData } = await import('../../native/seal/signed-data/index.ts');
    await verifySignedData(readFileSync(signed), {
      trustAnchors: [sd.root.der],
      onContent: async (chunks) => {
        for await (const c of chunks) void c;
      },
      onParts: (p) => (parts = p),
    });
    const chunks = [];
    const writer = signContent({
      content: [new TextEncoder().encode('another content')],
      signers: [organisation()],
      level: 'mat',
      existing: parts,
    });
    await assert.rejects(
      (async () => {
        for await (const c of writer) chunks.push(c);
      })(),
      (err) => kindOf(err) === 'tampered',
    );
  });
});
