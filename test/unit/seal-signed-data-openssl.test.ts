/**
 * SignedData interop with the openssl 3.0 CLI, both directions: `openssl cms -verify`
 * accepts what signContent writes and yields the content byte for byte (RSA, PSS,
 * ECDSA P-256/P-384, two signers, a 50 MiB streamed body); verifySignedData accepts
 * `openssl cms -sign` output (DER, -stream, -md sha256/384/512, RSA PKCS#1 and PSS,
 * ECDSA) and reports the signer.
 */
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import {
  signContent,
  softwareSigner,
  verifySignedData,
  type SignerSpec,
} from '../../native/seal/signed-data/index.ts';
import {
  makeSignedDataPki,
  openssl,
  type Party,
  type SignedDataPki,
} from './seal-signed-data-pki.ts';

let pki: SignedDataPki;
before(() => {
  pki = makeSignedDataPki();
});
after(() => pki.cleanup());

async function signToFile(input: string, output: string, signers: SignerSpec[]): Promise<void> {
  await pipeline(
    Readable.from(
      signContent({
        content: createReadStream(input),
        signers,
        level: 'toi-mat',
        certificates: pki.intermediates,
      }),
    ),
    createWriteStream(output),
  );
}

function opensslVerify(file: string, out: string): void {
  openssl([
    'cms',
    '-verify',
    '-inform',
    'DER',
    '-binary',
    '-in',
    file,
    '-CAfile',
    pki.rootPem,
    '-out',
    out,
  ]);
}

describe('Niêm → openssl cms -verify', () => {
  const body = Buffer.from('Công văn — nội dung ký số\r\n\x00\xff binary bytes');
  const cases: [string, () => SignerSpec[]][] = [
    ['RSA-3072 PKCS#1', () => [softwareSigner(pki.rsa.key, pki.rsa.der)]],
    ['RSA-3072 PSS', () => [softwareSigner(pki.rsa.key, pki.rsa.der, 'rsa-pss-sha256')]],
    ['ECDSA P-256', () => [softwareSigner(pki.p256.key, pki.p256.der)]],
    ['ECDSA P-384 (SHA-384)', () => [softwareSigner(pki.p384.key, pki.p384.der)]],
    [
      'two signers',
      () => [softwareSigner(pki.rsa.key, pki.rsa.der), softwareSigner(pki.p384.key, pki.p384.der)],
    ],
  ];
  for (const [name, signers] of cases) {
    it(`accepts ${name} and yields the content byte for byte`, async () => {
      const input = join(pki.dir, `in-${name.replace(/\W/g, '')}.bin`);
      const signed = `${input}.p7m`;
      const out = `${input}.out`;
      writeFileSync(input, body);
      await signToFile(input, signed, signers());
      opensslVerify(signed, out);
      assert.deepEqual(readFileSync(out), body);
    });
  }

  it('accepts a 50 MiB streamed body', async () => {
    const input = join(pki.dir, 'big.bin');
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < block.length; i++) block[i] = (i * 31) & 0xff;
    const hash = createHash('sha256');
    const ws = createWriteStream(input);
    for (let i = 0; i < 50; i++) {
      block[0] = i;
      hash.update(block);
      ws.write(Buffer.from(block));
    }
    await new Promise<void>((resolve, reject) =>
      ws.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    const signed = join(pki.dir, 'big.p7m');
    await signToFile(input, signed, [
      softwareSigner(pki.rsa.key, pki.rsa.der),
      softwareSigner(pki.p256.key, pki.p256.der),
    ]);
    const out = join(pki.dir, 'big.out');
    opensslVerify(signed, out);
    assert.equal(createHash('sha256').update(readFileSync(out)).digest('hex'), hash.digest('hex'));
  });
});

describe('openssl cms -sign → Niêm', () => {
  const body = Buffer.from('made by openssl cms -sign\n'.repeat(500));
  const variants: [string, () => Party, string[]][] = [
    ['RSA, -md sha256, -nodetach', () => pki.rsa, ['-md', 'sha256', '-nodetach']],
    ['RSA, -stream -md sha256', () => pki.rsa, ['-md', 'sha256', '-stream']],
    [
      'RSA-PSS, -md sha256',
      () => pki.rsa,
      ['-md', 'sha256', '-nodetach', '-keyopt', 'rsa_padding_mode:pss'],
    ],
    ['RSA, -md sha512 -stream', () => pki.rsa, ['-md', 'sha512', '-stream']],
    ['ECDSA P-256, -md sha256 -stream', () => pki.p256, ['-md', 'sha256', '-stream']],
    ['ECDSA P-384, -md sha384', () => pki.p384, ['-md', 'sha384', '-nodetach']],
  ];
  for (const [name, party, args] of variants) {
    it(`verifies ${name} and reports the signer`, async () => {
      const p = party();
      // prettier-ignore
      const der = openssl(['cms', '-sign', '-binary', '-outform', 'DER',
        '-signer', p.certPath, '-inkey', p.keyPath, ...args, '-certfile', pki.issuing.certPath], body);
      const parts: Buffer[] = [];
      const report = await verifySignedData(Readable.from([der]), {
        trustAnchors: [pki.root.der],
        onContent: async (chunks) => {
          for await (const c of chunks) parts.push(Buffer.from(c));
        },
      });
      assert.deepEqual(Buffer.concat(parts), body);
      assert.equal(report.verdict, 'valid', JSON.stringify(report.signers.map((s) => s.problems)));
      const s = report.signers[0];
      assert.ok(s);
      assert.equal(s.serialNumber, new X509Certificate(p.der).serialNumber.toUpperCase());
      assert.equal(s.chain.status, 'valid');
      assert.equal(s.organization, 'Sở Nội vụ Thành phố Hà Nội');
      assert.equal(s.signature, 'valid');
      assert.equal(s.level, undefined);
      assert.equal(report.revocation, 'not-checked');
    });
  }

  it('verifies two openssl signers', async () => {
    // prettier-ignore
    const der = openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-nodetach', '-md', 'sha256',
      '-signer', pki.rsa.certPath, '-inkey', pki.rsa.keyPath,
      '-signer', pki.p256.certPath, '-inkey', pki.p256.keyPath, '-certfile', pki.issuing.certPath], body);
    const report = await verifySignedData([der], {
      trustAnchors: [pki.root.der],
      onContent: async (c) => {
        for await (const _ of c);
      },
    });
    assert.equal(report.verdict, 'valid');
    assert.equal(report.signers.length, 2);
  });
});
