/**
 * SignedData: round trips for each key type and for two signers, the report's fields,
 * tampering (content, signed attribute, signature, certificate swap, ESS hash), trust
 * failures (unrelated CA, expired at signing time, no signing key usage), refusals
 * (no signed attributes, too many signers) and the worker digester.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, sign as nodeSign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  decodeBer,
  implicit,
  octetString,
  tlv,
  type AsnNode,
} from '../../native/seal/ber/index.ts';
import { NiemError } from '../../native/api/errors.ts';
import {
  ContentDigester,
  assertVerified,
  signContent,
  softwareSigner,
  verifySignedData,
  type SignerSpec,
  type VerificationReport,
} from '../../native/seal/signed-data/index.ts';
import type { LevelCode } from '../../native/seal/levels.ts';
import { makeSignedDataPki, openssl, type SignedDataPki } from './seal-signed-data-pki.ts';

let pki: SignedDataPki;
before(() => {
  pki = makeSignedDataPki();
});
after(() => pki.cleanup());

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

async function collect(gen: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of gen) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

export async function sign(
  content: Uint8Array,
  signers: SignerSpec[],
  level: LevelCode = 'mat',
  signingTime?: Date,
): Promise<Buffer> {
  return collect(
    signContent({
      content: [content],
      signers,
      level,
      certificates: pki.intermediates,
      ...(signingTime === undefined ? {} : { signingTime }),
    }),
  );
}

async function verify(
  der: Uint8Array,
  now?: Date,
): Promise<{ report: VerificationReport; content: Buffer }> {
  const parts: Buffer[] = [];
  const report = await verifySignedData([der], {
    trustAnchors: [pki.root.der],
    ...(now === undefined ? {} : { now }),
    onContent: async (chunks) => {
      for await (const c of chunks) parts.push(Buffer.from(c));
    },
  });
  return { report, content: Buffer.concat(parts) };
}

/** Re-encodes a decoded tree with definite lengths, replacing nodes `swap` answers for. */
function rebuild(node: AsnNode, swap: (n: AsnNode) => Uint8Array | undefined): Uint8Array {
  const replaced = swap(node);
  if (replaced !== undefined) return replaced;
  if (!node.constructed) return node.raw;
  return tlv(node.tagClass, true, node.tagNumber, ...node.children.map((c) => rebuild(c, swap)));
}

function flip(buf: Uint8Array, at: number): Buffer {
  const out = Buffer.from(buf);
  out[at] = (out[at] as number) ^ 0x01;
  return out;
}

describe('SignedData round trip', () => {
  const cases: [string, () => SignerSpec][] = [
    ['RSA-3072 PKCS#1 v1.5 SHA-256', () => softwareSigner(pki.rsa.key, pki.rsa.der)],
    ['RSA-3072 PSS SHA-256', () => softwareSigner(pki.rsa.key, pki.rsa.der, 'rsa-pss-sha256')],
    ['EC P-256 ECDSA SHA-256', () => softwareSigner(pki.p256.key, pki.p256.der)],
    ['EC P-384 ECDSA SHA-384', () => softwareSigner(pki.p384.key, pki.p384.der)],
  ];
  for (const [name, signer] of cases) {
    it(`signs and verifies with ${name}`, async () => {
      const body = text(`nội dung — ${name}`);
      const der = await sign(body, [signer()], 'toi-mat');
      const { report, content } = await verify(der);
      assert.deepEqual(content, Buffer.from(body));
      assert.equal(report.verdict, 'valid', JSON.stringify(report.signers[0]?.problems));
      assert.equal(report.level, 'toi-mat');
      const s = report.signers[0];
      assert.ok(s);
      assert.equal(s.signature, 'valid');
      assert.equal(s.messageDigest, 'valid');
      assert.equal(s.signingCertificate, 'valid');
      assert.equal(s.chain.status, 'valid');
      assert.equal(s.chain.path.length, 3);
      assert.equal(s.revocation, 'not-checked');
      assert.equal(s.organization, 'Sở Nội vụ Thành phố Hà Nội');
      assert.equal(s.organizationIdentifier, 'MST:0100000001');
      assertVerified(report);
    });
  }

  it('carries two signers (person + organisation) over the same content', async () => {
    const whole = Math.floor(Date.now() / 1000) * 1000 + 3_600_000;
    const time = new Date(whole + 890);
    const der = await sign(
      text('hai chữ ký'),
      [softwareSigner(pki.rsa.key, pki.rsa.der), softwareSigner(pki.p384.key, pki.p384.der)],
      'tuyet-mat',
      time,
    );
    const { report } = await verify(der, new Date(whole + 86_400_000));
    assert.equal(report.verdict, 'valid');
    assert.equal(report.signers.length, 2);
    const names = report.signers.map((s) => s.commonName).sort();
    assert.deepEqual(names, ['Nguyễn Văn An', 'Sở Nội vụ (dấu cơ quan)']);
    for (const s of report.signers) {
      assert.equal(s.level, 'tuyet-mat');
      assert.equal(s.signingTime?.getTime(), whole);
    }
    assert.deepEqual(
      new Set(report.signers.map((s) => s.digestAlgorithm)),
      new Set(['sha256', 'sha384']),
    );
  });

  it('reports each level exactly as signed', async () => {
    for (const level of ['thuong', 'mat', 'toi-mat', 'tuyet-mat'] as const) {
      const { report } = await verify(
        await sign(text(level), [softwareSigner(pki.p256.key, pki.p256.der)], level),
      );
      assert.equal(report.level, level);
      assert.equal(report.signers[0]?.level, level);
    }
  });

  it('signs and verifies empty content', async () => {
    const { report, content } = await verify(
      await sign(new Uint8Array(0), [softwareSigner(pki.p256.key, pki.p256.der)]),
    );
    assert.equal(content.length, 0);
    assert.equal(report.verdict, 'valid');
  });

  it('streams a 20 MiB body through the worker digester', async () => {
    const chunk = new Uint8Array(1 << 20).map((_, i) => i * 7);
    async function* body(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 20; i++) yield chunk;
    }
    const der = await collect(
      signContent({
        content: body(),
        signers: [softwareSigner(pki.p256.key, pki.p256.der)],
        level: 'mat',
        certificates: pki.intermediates,
      }),
    );
    let length = 0;
    const hash = createHash('sha256');
    const report = await verifySignedData([der], {
      trustAnchors: [pki.root.der],
      digestMode: 'worker',
      onContent: async (chunks) => {
        for await (const c of chunks) {
          length += c.length;
          hash.update(c);
        }
      },
    });
    assert.equal(report.verdict, 'valid');
    assert.equal(length, 20 << 20);
    assert.equal(report.contentLength, 20 << 20);
    const expected = createHash('sha256');
    for (let i = 0; i < 20; i++) expected.update(chunk);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
  });

  it('still hashes all content when onContent stops early', async () => {
    const der = await sign(text('abcdef'), [softwareSigner(pki.p256.key, pki.p256.der)]);
    const report = await verifySignedData([der], {
      trustAnchors: [pki.root.der],
      onContent: async (chunks) => {
        for await (const c of chunks) {
          void c;
          break;
        }
      },
    });
    assert.equal(report.verdict, 'valid');
  });
});

describe('SignedData tampering', () => {
  const body = text('Công văn số 123/SNV — nội dung gốc');

  it('a flipped content byte: messageDigest invalid, verdict tampered', async () => {
    const der = await sign(body, [softwareSigner(pki.rsa.key, pki.rsa.der)]);
    const at = der.indexOf(Buffer.from(body));
    const { report } = await verify(flip(der, at + 3));
    assert.equal(report.verdict, 'tampered');
    assert.equal(report.signers[0]?.messageDigest, 'invalid');
    assert.throws(
      () => assertVerified(report),
      (e: unknown) => e instanceof NiemError && e.kind === 'tampered',
    );
  });

  it('a changed signed attribute (the level): signature invalid', async () => {
    const der = await sign(body, [softwareSigner(pki.p256.key, pki.p256.der)], 'mat');
    // The classification INTEGER 3 right after the policy OID inside the label.
    const policyEnd = der.indexOf(
      Buffer.from('0c01', 'hex'),
      der.indexOf(Buffer.from('699491a691a0', 'hex')),
    );
    const at = der.indexOf(Buffer.from('020103', 'hex'), policyEnd - 40);
    assert.ok(at > 0);
    const changed = Buffer.from(der);
    changed[at + 2] = 5;
    const { report } = await verify(changed);
    assert.equal(report.verdict, 'tampered');
    assert.equal(report.signers[0]?.signature, 'invalid');
  });

  it('a flipped signature byte: signature invalid', async () => {
    const der = await sign(body, [softwareSigner(pki.rsa.key, pki.rsa.der)]);
    // signerInfos end 6 bytes (three end-of-contents) before the end; the signature is last.
    const { report } = await verify(flip(der, der.length - 6 - 10));
    assert.equal(report.verdict, 'tampered');
    assert.equal(report.signers[0]?.signature, 'invalid');
  });

  it('a swapped certificate (same issuer and serial, another key) is tampered', async () => {
    const der = await sign(body, [softwareSigner(pki.p256.key, pki.p256.der)]);
    const tree = decodeBer(der);
    const swapped = rebuild(tree, (n) =>
      Buffer.from(n.raw).equals(Buffer.from(pki.p256.der)) ? pki.p256Twin.der : undefined,
    );
    const { report } = await verify(swapped);
    assert.equal(report.verdict, 'tampered');
    assert.equal(report.signers[0]?.signature, 'invalid');
    assert.equal(report.signers[0]?.signingCertificate, 'mismatch');
  });

  it('a certificate removed from the package: untrusted, never valid', async () => {
    const der = await sign(body, [softwareSigner(pki.p256.key, pki.p256.der)]);
    const tree = decodeBer(der);
    const removed = rebuild(tree, (n) =>
      Buffer.from(n.raw).equals(Buffer.from(pki.p256.der)) ? new Uint8Array(0) : undefined,
    );
    const { report } = await verify(removed);
    assert.equal(report.verdict, 'untrusted');
    assert.equal(report.signers[0]?.serialNumber, undefined);
  });

  it('an ESS certHash that names another certificate (validly signed) is tampered', async () => {
    const der = await sign(body, [softwareSigner(pki.p256.key, pki.p256.der)]);
    const tree = decodeBer(der);
    const good = createHash('sha256').update(pki.p256.der).digest();
    const other = createHash('sha256').update(pki.p384.der).digest();
    const forged = rebuild(tree, (n) => {
      if (!(
        n.tagClass === 'universal' &&
        n.tagNumber === 16 &&
        n.constructed &&
        n.children.length === 6
      ))
        return undefined;
      const attrs = n.children[3] as AsnNode;
      if (attrs.tagClass !== 'context') return undefined;
      const setDer = Buffer.from(attrs.raw);
      setDer[0] = 0x31;
      const at = setDer.indexOf(good);
      assert.ok(at > 0);
      other.copy(setDer, at);
      const signature = nodeSign('sha256', setDer, { key: pki.p256.key, dsaEncoding: 'der' });
      const kids = n.children.map((c) => c.raw);
      kids[3] = implicit(0, setDer);
      kids[5] = octetString(signature);
      return tlv('universal', true, 16, ...kids);
    });
    const { report } = await verify(forged);
    assert.equal(report.signers[0]?.signature, 'valid');
    assert.equal(report.signers[0]?.signingCertificate, 'mismatch');
    assert.equal(report.verdict, 'tampered');
  });
});

describe('SignedData trust', () => {
  const body = text('kiểm tra tin cậy');

  it('a signer under an unrelated CA is untrusted (no path)', async () => {
    const { report } = await verify(
      await sign(body, [softwareSigner(pki.stranger.key, pki.stranger.der)]),
    );
    assert.equal(report.verdict, 'untrusted');
    assert.equal(report.signers[0]?.signature, 'valid');
    assert.equal(report.signers[0]?.chain.problem, 'no-path');
    assert.throws(
      () => assertVerified(report),
      (e: unknown) => e instanceof NiemError && e.kind === 'untrusted-signer',
    );
  });

  it('a certificate expired at the signing time is untrusted', async () => {
    const later = new Date(Date.now() + 3 * 86_400_000);
    const der = await sign(
      body,
      [softwareSigner(pki.shortLived.key, pki.shortLived.der)],
      'mat',
      later,
    );
    const { report } = await verify(der, later);
    assert.equal(report.verdict, 'untrusted');
    assert.equal(report.signers[0]?.chain.problem, 'expired');
  });

  it('a certificate without digitalSignature / nonRepudiation is untrusted', async () => {
    const { report } = await verify(
      await sign(body, [softwareSigner(pki.noSigning.key, pki.noSigning.der)]),
    );
    assert.equal(report.verdict, 'untrusted');
    assert.equal(report.signers[0]?.chain.problem, 'key-usage');
  });

  it('a signing time in the future is untrusted', async () => {
    const der = await sign(
      body,
      [softwareSigner(pki.p256.key, pki.p256.der)],
      'mat',
      new Date(Date.now() + 86_400_000),
    );
    const { report } = await verify(der);
    assert.equal(report.verdict, 'untrusted');
  });

  it('one untrusted signer of two makes the verdict untrusted', async () => {
    const der = await sign(body, [
      softwareSigner(pki.rsa.key, pki.rsa.der),
      softwareSigner(pki.stranger.key, pki.stranger.der),
    ]);
    const { report } = await verify(der);
    assert.equal(report.verdict, 'untrusted');
    assert.deepEqual(report.signers.map((s) => s.verdict).sort(), ['untrusted', 'valid']);
  });
});

describe('SignedData refusals and limits', () => {
  it('refuses a SignerInfo without signed attributes (openssl -noattr): unsupported-signature', async () => {
    const der = openssl(
      [
        'cms',
        '-sign',
        '-binary',
        '-outform',
        'DER',
        '-nodetach',
        '-noattr',
        '-md',
        'sha256',
        '-signer',
        pki.p256.certPath,
        '-inkey',
        pki.p256.keyPath,
      ],
      text('no attributes'),
    );
    await assert.rejects(
      verify(der),
      (e: unknown) => e instanceof NiemError && e.kind === 'unsupported-signature',
    );
  });

  it('refuses a detached signature: unsupported-signature', async () => {
    const der = openssl(
      [
        'cms',
        '-sign',
        '-binary',
        '-outform',
        'DER',
        '-md',
        'sha256',
        '-signer',
        pki.p256.certPath,
        '-inkey',
        pki.p256.keyPath,
      ],
      text('detached'),
    );
    await assert.rejects(
      verify(der),
      (e: unknown) => e instanceof NiemError && e.kind === 'unsupported-signature',
    );
  });

  it('the writer refuses 17 signers and a certificate that does not match the key', async () => {
    const s = softwareSigner(pki.p256.key, pki.p256.der);
    await assert.rejects(
      sign(
        text('x'),
        Array.from({ length: 17 }, () => s),
      ),
      (e: unknown) => e instanceof NiemError && e.kind === 'invalid-input',
    );
    await assert.rejects(
      sign(text('x'), [softwareSigner(pki.p256Twin.key, pki.p256.der)]),
      (e: unknown) => e instanceof NiemError && e.kind === 'key-usage-mismatch',
    );
  });

  it('refuses more than 16 SignerInfos: malformed', async () => {
    const der = await sign(text('x'), [softwareSigner(pki.p256.key, pki.p256.der)]);
    const tree = decodeBer(der);
    const many = rebuild(tree, (n) => {
      if (
        n.tagClass === 'universal' &&
        n.tagNumber === 17 &&
        n.constructed &&
        n.children[0]?.constructed &&
        n.children[0].children.length === 6
      ) {
        return tlv(
          'universal',
          true,
          17,
          ...Array.from({ length: 17 }, () => (n.children[0] as AsnNode).raw),
        );
      }
      return undefined;
    });
    await assert.rejects(
      verify(many),
      (e: unknown) => e instanceof NiemError && e.kind === 'malformed',
    );
  });

  it('refuses content that is not SignedData, and trailing bytes: malformed', async () => {
    const der = await sign(text('x'), [softwareSigner(pki.p256.key, pki.p256.der)]);
    await assert.rejects(
      verify(Buffer.concat([der, Buffer.from([0])])),
      (e: unknown) => e instanceof NiemError && e.kind === 'malformed',
    );
    await assert.rejects(
      verify(der.subarray(0, der.length - 3)),
      (e: unknown) => e instanceof NiemError && e.kind === 'malformed',
    );
  });
});

describe('ContentDigester', () => {
  it('gives the same digests in sync, auto and worker modes', async () => {
    const data = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => i % 251);
    const expected = ['sha256', 'sha384', 'sha512'].map((a) =>
      createHash(a).update(data).digest('hex'),
    );
    for (const mode of ['sync', 'auto', 'worker'] as const) {
      const d = new ContentDigester(['sha256', 'sha384', 'sha512'], mode);
      for (let at = 0; at < data.length; at += 100_000)
        await d.update(data.subarray(at, at + 100_000));
      const out = await d.digest();
      assert.deepEqual(
        ['sha256', 'sha384', 'sha512'].map((a) =>
          Buffer.from(out.get(a as 'sha256') as Uint8Array).toString('hex'),
        ),
        expected,
        mode,
      );
    }
  });

  it('copies what it is given: a caller reusing one Buffer for every read gets the right digest', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 5);
    for (const mode of ['sync', 'auto', 'worker'] as const) {
      const d = new ContentDigester(['sha256'], mode);
      const reused = Buffer.alloc(64 * 1024);
      for (let at = 0; at < data.length; at += reused.length) {
        const n = data.copy(reused, 0, at, Math.min(at + reused.length, data.length));
        await d.update(reused.subarray(0, n));
      }
      reused.fill(0xee);
      const got = Buffer.from((await d.digest()).get('sha256') as Uint8Array).toString('hex');
      assert.equal(got, createHash('sha256').update(data).digest('hex'), mode);
    }
  });

  it('stays on the calling thread for small content in auto mode', async () => {
    const d = new ContentDigester(['sha256']);
    await d.update(new Uint8Array(1000));
    assert.equal(d.offThread, false);
    await d.digest();
  });
});
