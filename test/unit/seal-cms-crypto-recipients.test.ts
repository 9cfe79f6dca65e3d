/**
 * RecipientInfos with Node keys: KTRI (RSA-OAEP SHA-256 and SHA-1) and KARI (P-256,
 * P-384) round trips, naming by issuer+serial and by SKI, several recipients, kinds Niêm
 * does not open set aside, not-a-recipient, and every changed key blob `tampered`.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import {
  integer as derInteger,
  octetString as derOctetString,
  sequence as derSequence,
  tlv,
  type AsnNode,
} from '../../native/seal/ber/index.ts';
import { childrenOf, decodeCms, derSetOf } from '../../native/seal/cms-crypto/asn.ts';

/** The value of a primitive node (empty for a constructed one). */
const valueOf = (node: AsnNode | undefined): Uint8Array =>
  node === undefined || node.constructed ? new Uint8Array(0) : node.value;
import {
  encodeKeyAgreeRecipientInfo,
  encodeKeyTransRecipientInfo,
  encodeOaepAlgorithm,
  encodeRecipientInfos,
  generateContentKey,
  openContentKey,
  readRecipientInfos,
  softwareRecipientKey,
  type KeyAgreeRecipient,
  type KeyTransRecipient,
  type ParsedRecipient,
  type RecipientKey,
} from '../../native/seal/cms-crypto/index.ts';
import { makeTestPki, type TestPki } from './seal-cms-crypto-pki.ts';

let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(() => pki.cleanup());

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function kindOf(err: unknown): string {
  return err instanceof NiemError ? err.kind : `not a NiemError: ${String(err)}`;
}

async function rejectsWith(promise: Promise<unknown>, kind: string, what?: string) {
  await assert.rejects(promise, (err) => kindOf(err) === kind, what);
}

function only<T extends ParsedRecipient['type']>(
  parsed: ParsedRecipient[],
  type: T,
): Extract<ParsedRecipient, { type: T }> {
  assert.equal(parsed.length, 1);
  const [first] = parsed;
  assert.equal(first?.type, type);
  return first as Extract<ParsedRecipient, { type: T }>;
}

describe('KeyTransRecipientInfo (RSA-OAEP)', () => {
  for (const hash of ['sha256', 'sha1'] as const) {
    it(`round-trips the content key with OAEP-${hash}`, async () => {
      const cek = generateContentKey();
      const set = derSetOf([
        encodeKeyTransRecipientInfo(pki.rsa.certificate, cek, { oaepHash: hash }),
      ]);
      const recipient = only(readRecipientInfos(set), 'ktri');
      assert.equal(recipient.algorithm, `rsa-oaep-${hash}`);
      assert.equal(recipient.rid.kind, 'issuer-serial');
      const opened = await openContentKey([recipient], [pki.rsa.key], 32);
      assert.deepEqual(opened.contentKey, cek);
      assert.equal(opened.certificate, pki.rsa.certificate);
    });
  }

  it('writes RSAES-OAEP-params byte for byte as openssl 3.0 does', () => {
    assert.deepEqual(
      encodeOaepAlgorithm('sha256'),
      hex(`3038 0609 2a864886f70d010107 302b
             a00d 300b 0609 608648016503040201
             a11a 3018 0609 2a864886f70d010108 300b 0609 608648016503040201`),
    );
    assert.deepEqual(encodeOaepAlgorithm('sha1'), hex('300d 0609 2a864886f70d010107 3000'));
  });

  it('names the recipient by subject key identifier (version 2) when asked', async () => {
    const cek = generateContentKey();
    const info = encodeKeyTransRecipientInfo(pki.rsa.certificate, cek, { identifyBy: 'ski' });
    assert.equal(valueOf(childrenOf(decodeCms(info), 'ktri')[0])[0], 2);
    const recipient = only(readRecipientInfos(derSetOf([info])), 'ktri');
    assert.deepEqual(recipient.rid, {
      kind: 'ski',
      subjectKeyIdentifier: pki.rsa.certificate.subjectKeyIdentifier,
    });
    assert.deepEqual((await openContentKey([recipient], [pki.rsa.key], 32)).contentKey, cek);
  });

  it('refuses a changed encrypted key, a wrong-size one and the wrong private key as tampered', async () => {
    const cek = generateContentKey();
    const recipient = only(
      readRecipientInfos(derSetOf([encodeKeyTransRecipientInfo(pki.rsa.certificate, cek)])),
      'ktri',
    );
    const flipped: KeyTransRecipient = {
      ...recipient,
      encryptedKey: Buffer.from(recipient.encryptedKey),
    };
    flipped.encryptedKey[100] = (flipped.encryptedKey[100] ?? 0) ^ 0x04;
    await rejectsWith(openContentKey([flipped], [pki.rsa.key], 32), 'tampered');

    let called = false;
    const watching: RecipientKey = {
      certificate: pki.rsa.certificate,
      decrypt: async () => {
        called = true;
        return cek;
      },
    };
    const short = { ...recipient, encryptedKey: recipient.encryptedKey.subarray(1) };
    await rejectsWith(openContentKey([short], [watching], 32), 'tampered');
    assert.equal(called, false, 'a blob of the wrong size never reaches the key');

    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const impostor = softwareRecipientKey(otherKey, pki.rsa.certificate);
    await rejectsWith(openContentKey([recipient], [impostor], 32), 'tampered');
  });

  it('passes the token’s own errors through unchanged', async () => {
    const cek = generateContentKey();
    const recipient = only(
      readRecipientInfos(derSetOf([encodeKeyTransRecipientInfo(pki.rsa.certificate, cek)])),
      'ktri',
    );
    const removed: RecipientKey = {
      certificate: pki.rsa.certificate,
      decrypt: async () => {
        throw new NiemError('token-removed', 'gone');
      },
    };
    await rejectsWith(openContentKey([recipient], [removed], 32), 'token-removed');
  });
});

describe('KeyAgreeRecipientInfo (ECDH)', () => {
  for (const name of ['p256', 'p384'] as const) {
    it(`round-trips the content key on ${name === 'p256' ? 'P-256 with SHA-256' : 'P-384 with SHA-384'}`, async () => {
      const party = pki[name];
      const cek = generateContentKey();
      const info = encodeKeyAgreeRecipientInfo(party.certificate, cek);
      const node = decodeCms(info);
      assert.equal(node.raw[0], 0xa1);
      assert.deepEqual(
        Buffer.from(childrenOf(node, 'kari')[0]?.raw ?? []),
        Buffer.from(derInteger(3)),
      );
      const recipient = only(readRecipientInfos(derSetOf([info])), 'kari');
      assert.equal(recipient.kdfHash, name === 'p256' ? 'sha256' : 'sha384');
      assert.equal(recipient.kekBytes, 32);
      assert.equal(recipient.ukm, undefined);
      assert.equal(recipient.originatorCurve, undefined, 'no curve parameters, as openssl');
      assert.equal(recipient.encryptedKey.length, 40);
      assert.deepEqual((await openContentKey([recipient], [party.key], 32)).contentKey, cek);
    });
  }

  it('names the recipient by rKeyId (subject key identifier) when asked', async () => {
    const cek = generateContentKey();
    const info = encodeKeyAgreeRecipientInfo(pki.p256.certificate, cek, { identifyBy: 'ski' });
    const recipient = only(readRecipientInfos(derSetOf([info])), 'kari');
    assert.equal(recipient.rid.kind, 'ski');
    assert.deepEqual((await openContentKey([recipient], [pki.p256.key], 32)).contentKey, cek);
  });

  it('refuses a changed wrapped key, a changed or substituted ephemeral point as tampered', async () => {
    const cek = generateContentKey();
    const recipient = only(
      readRecipientInfos(derSetOf([encodeKeyAgreeRecipientInfo(pki.p384.certificate, cek)])),
      'kari',
    );
    const variants: Record<string, KeyAgreeRecipient> = {};
    const wrapped = Buffer.from(recipient.encryptedKey);
    wrapped[39] = (wrapped[39] ?? 0) ^ 0x01;
    variants['wrapped key'] = { ...recipient, encryptedKey: wrapped };
    const point = Buffer.from(recipient.originatorPoint);
    point[20] = (point[20] ?? 0) ^ 0x10;
    variants['point off the curve'] = { ...recipient, originatorPoint: point };
    const prefix = Buffer.from(recipient.originatorPoint);
    prefix[0] = 0x05;
    variants['point prefix'] = { ...recipient, originatorPoint: prefix };
    const other = encodeKeyAgreeRecipientInfo(pki.p384.certificate, generateContentKey());
    variants['another valid point'] = {
      ...recipient,
      originatorPoint: only(readRecipientInfos(derSetOf([other])), 'kari').originatorPoint,
    };
    variants['curve parameters of P-256'] = { ...recipient, originatorCurve: 'P-256' };
    for (const [what, variant] of Object.entries(variants)) {
      await rejectsWith(openContentKey([variant], [pki.p384.key], 32), 'tampered', what);
    }
  });

  it('accepts a compressed ephemeral point (RFC 5753 allows it)', async () => {
    const cek = generateContentKey();
    const recipient = only(
      readRecipientInfos(derSetOf([encodeKeyAgreeRecipientInfo(pki.p256.certificate, cek)])),
      'kari',
    );
    const p = recipient.originatorPoint;
    const compressed = Buffer.concat([Buffer.from([2 + ((p[64] ?? 0) & 1)]), p.subarray(1, 33)]);
    const opened = await openContentKey(
      [{ ...recipient, originatorPoint: compressed }],
      [pki.p256.key],
      32,
    );
    assert.deepEqual(opened.contentKey, cek);
  });
});

describe('RecipientInfos', () => {
  it('opens a package for RSA, P-256 and P-384 with each key, and refuses a stranger', async () => {
    const cek = generateContentKey();
    const set = encodeRecipientInfos(
      [
        { certificate: pki.rsa.certificate },
        { certificate: pki.p256.certificate },
        { certificate: pki.p384.certificate },
      ],
      cek,
    );
    const parsed = readRecipientInfos(set);
    assert.deepEqual(parsed.map((p) => p.type).sort(), ['kari', 'kari', 'ktri']);
    for (const party of [pki.rsa, pki.p256, pki.p384]) {
      const opened = await openContentKey(parsed, [party.key], 32);
      assert.deepEqual(opened.contentKey, cek);
      assert.equal(opened.certificate, party.certificate);
    }
    await rejectsWith(openContentKey(parsed, [pki.stranger.key], 32), 'not-a-recipient');
  });

  it('sets aside KEK, password and other recipient kinds, and opens with the usable one', async () => {
    const cek = generateContentKey();
    const kekri = tlv('context', true, 2, derInteger(4)); // contents are not looked at
    const pwri = tlv('context', true, 3, derInteger(0));
    const ori = tlv('context', true, 4, derInteger(0));
    const ours = encodeKeyTransRecipientInfo(pki.rsa.certificate, cek);
    const parsed = readRecipientInfos(derSetOf([kekri, pwri, ori, ours]));
    assert.equal(parsed.filter((p) => p.type === 'unsupported').length, 3);
    assert.deepEqual((await openContentKey(parsed, [pki.rsa.key], 32)).contentKey, cek);
    const foreignOnly = readRecipientInfos(derSetOf([kekri, pwri]));
    await rejectsWith(openContentKey(foreignOnly, [pki.rsa.key], 32), 'not-a-recipient');
  });

  it('refuses RSA PKCS#1 v1.5 addressed to us as malformed (never tried)', async () => {
    const ktri = decodeCms(encodeKeyTransRecipientInfo(pki.rsa.certificate, generateContentKey()));
    const [version, rid, , key] = childrenOf(ktri, 'k');
    const v15 = derSequence(
      version?.raw ?? Buffer.alloc(0),
      rid?.raw ?? Buffer.alloc(0),
      hex('300d 0609 2a864886f70d010101 0500'),
      key?.raw ?? Buffer.alloc(0),
    );
    const parsed = readRecipientInfos(derSetOf([v15]));
    assert.equal(parsed[0]?.type, 'unsupported');
    await rejectsWith(openContentKey(parsed, [pki.rsa.key], 32), 'malformed');
  });

  it('refuses an empty set, an unknown choice and broken structure as malformed', () => {
    for (const bytes of [
      hex('3100'),
      derSetOf([tlv('context', true, 7, derInteger(0))]),
      derSetOf([derSequence(derInteger(9))]),
      derSetOf([derSequence(derInteger(0), derOctetString(Buffer.alloc(3)))]),
    ]) {
      assert.throws(
        () => readRecipientInfos(bytes),
        (err) => kindOf(err) === 'malformed',
      );
    }
  });

  it('tries every entry addressed to us before calling the package tampered', async () => {
    const cek = generateContentKey();
    const good = only(
      readRecipientInfos(derSetOf([encodeKeyTransRecipientInfo(pki.rsa.certificate, cek)])),
      'ktri',
    );
    const bad: KeyTransRecipient = { ...good, encryptedKey: Buffer.from(good.encryptedKey) };
    bad.encryptedKey[0] = (bad.encryptedKey[0] ?? 0) ^ 1;
    assert.deepEqual((await openContentKey([bad, good], [pki.rsa.key], 32)).contentKey, cek);
    await rejectsWith(openContentKey([bad, bad], [pki.rsa.key], 32), 'tampered');
  });
});
