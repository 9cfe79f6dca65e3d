/**
 * Interop with the openssl CLI, both ways, for RSA-OAEP-SHA256, ECDH P-256 (SHA-256 KDF)
 * and P-384 (SHA-384 KDF) recipients:
 * - AuthEnvelopedData made by `openssl cms -encrypt -aes-256-gcm` opens with our key
 *   management and streaming GCM (DER and -stream BER, issuer+serial and -keyid);
 * - AuthEnvelopedData we assemble (with Niêm's authAttrs as GCM AAD) opens with
 *   `openssl cms -decrypt`, and the SignedData inside verifies with `openssl cms -verify`;
 * - changed bytes are `tampered` on our side (nothing written) and refused by openssl.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { childrenOf, decodeCms, oidOf as readOid } from '../../native/seal/cms-crypto/asn.ts';
import {
  authAttributesAad,
  contentTypes,
  decodeAuthEnvelopedData,
  encodeAuthAttributes,
  encodeAuthEnvelopedData,
  encodeContentEncryptionAlgorithm,
  encodeOaepAlgorithm,
  encodeRecipientInfos,
  GcmDecryptor,
  GcmEncryptor,
  generateContentKey,
  generateNonce,
  niemAuthAttributes,
  openContentKey,
  PACKAGE_CONTENT_TYPE,
  readEnvelopeAttributes,
  readRecipientInfos,
  writeAuthenticated,
  type SealRecipient,
} from '../../native/seal/cms-crypto/index.ts';
import { makeTestPki, openssl, type TestParty, type TestPki } from './seal-cms-crypto-pki.ts';

let pki: TestPki;
let message: Buffer;
before(() => {
  pki = makeTestPki();
  message = Buffer.from(`Công văn số 7816/VPCP-TTĐT\n${'nội dung '.repeat(5000)}\n`, 'utf8');
  writeFileSync(join(pki.dir, 'message.txt'), message);
});
after(() => pki.cleanup());

function kindOf(err: unknown): string {
  return err instanceof NiemError ? err.kind : `not a NiemError: ${String(err)}`;
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Splits into 4 KiB pieces, as a streaming reader would hand them over. */
function pieces(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += 4096) out.push(data.subarray(i, i + 4096));
  return out;
}

/** `openssl cms -encrypt -aes-256-gcm` of message.txt to `parties`, DER (BER with -stream). */
function opensslEncrypt(parties: TestParty[], extra: string[] = []): Buffer {
  const args = ['cms', '-encrypt', '-aes-256-gcm', '-binary', '-outform', 'DER', ...extra];
  args.push('-in', join(pki.dir, 'message.txt'));
  for (const party of parties) {
    args.push('-recip', party.certPath);
    if (party.certificate.keyType === 'rsa') {
      args.push('-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256');
      args.push('-keyopt', 'rsa_mgf1_md:sha256');
    } else {
      args.push(
        '-keyopt',
        `ecdh_kdf_md:${party.certificate.curve === 'P-256' ? 'sha256' : 'sha384'}`,
      );
    }
  }
  return openssl(args);
}

/** Opens an AuthEnvelopedData in memory with `party`'s software key and streaming GCM. */
async function niemOpen(packageBytes: Buffer, party: TestParty): Promise<Buffer> {
  const envelope = decodeAuthEnvelopedData(packageBytes);
  const recipients = readRecipientInfos(envelope.recipientInfos);
  const { contentKey } = await openContentKey(recipients, [party.key], envelope.algorithm.keyBytes);
  const decryptor = new GcmDecryptor(contentKey, envelope.algorithm);
  const plaintext = collect(Readable.from(pieces(envelope.ciphertext)).pipe(decryptor));
  decryptor.provideTrailer({
    mac: envelope.mac,
    aad: envelope.authAttrs && authAttributesAad(envelope.authAttrs.raw),
  });
  return plaintext;
}

describe('openssl → Niêm', () => {
  const cases: [string, () => TestParty, string[]][] = [
    ['RSA-OAEP-SHA256', () => pki.rsa, []],
    ['RSA-OAEP-SHA256, -stream (BER)', () => pki.rsa, ['-stream']],
    ['RSA-OAEP-SHA256, -keyid', () => pki.rsa, ['-keyid']],
    ['ECDH P-256, SHA-256 KDF', () => pki.p256, []],
    ['ECDH P-384, SHA-384 KDF', () => pki.p384, []],
    ['ECDH P-384, SHA-384 KDF, -stream -keyid', () => pki.p384, ['-stream', '-keyid']],
  ];
  for (const [name, party, extra] of cases) {
    it(`opens ${name}`, async () => {
      const bytes = opensslEncrypt([party()], extra);
      if (extra.includes('-stream')) assert.equal(bytes[1], 0x80, 'indefinite-length BER');
      const [recipient] = readRecipientInfos(decodeAuthEnvelopedData(bytes).recipientInfos);
      assert.equal(recipient?.rid?.kind, extra.includes('-keyid') ? 'ski' : 'issuer-serial');
      assert.deepEqual(await niemOpen(bytes, party()), message);
    });
  }

  it('opens a package for all three with each key', async () => {
    const bytes = opensslEncrypt([pki.rsa, pki.p256, pki.p384]);
    for (const party of [pki.rsa, pki.p256, pki.p384]) {
      assert.deepEqual(await niemOpen(bytes, party), message);
    }
    await assert.rejects(niemOpen(bytes, pki.stranger), (e) => kindOf(e) === 'not-a-recipient');
  });

  it('opens openssl’s defaults for ECDH (SHA-1 KDF) and refuses its RSA default (PKCS#1 v1.5)', async () => {
    // prettier-ignore
    const ec = openssl(['cms', '-encrypt', '-aes-256-gcm', '-binary', '-outform', 'DER',
      '-in', join(pki.dir, 'message.txt'), '-recip', pki.p256.certPath]);
    assert.deepEqual(await niemOpen(ec, pki.p256), message);
    // prettier-ignore
    const v15 = openssl(['cms', '-encrypt', '-aes-256-gcm', '-binary', '-outform', 'DER',
      '-in', join(pki.dir, 'message.txt'), '-recip', pki.rsa.certPath]);
    await assert.rejects(niemOpen(v15, pki.rsa), (e) => kindOf(e) === 'malformed');
  });

  it('opens the `cms -sign -stream | cms -encrypt -stream` pipeline: a ContentInfo(SignedData) inside', async () => {
    const { rsa, p256, p384 } = pki;
    const script = [
      `openssl cms -sign -stream -binary -outform DER -nodetach -in message.txt`,
      `-signer ${rsa.certPath} -inkey ${rsa.keyPath}`,
      `| openssl cms -encrypt -stream -binary -outform DER -aes-256-gcm`,
      `-recip ${rsa.certPath} -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256`,
      `-keyopt rsa_mgf1_md:sha256 -recip ${p256.certPath} -keyopt ecdh_kdf_md:sha256`,
      `-recip ${p384.certPath} -keyopt ecdh_kdf_md:sha384`,
    ].join(' ');
    const bytes = execFileSync('sh', ['-c', script], { cwd: pki.dir });
    for (const party of [rsa, p256, p384]) {
      const inner = await niemOpen(bytes, party);
      const contentInfo = decodeCms(inner);
      assert.equal(readOid(childrenOf(contentInfo, 'inner')[0], 'type'), contentTypes.signedData);
    }
  });

  it('writes the same RSAES-OAEP-params as openssl', () => {
    const envelope = decodeAuthEnvelopedData(opensslEncrypt([pki.rsa]));
    const ktri = childrenOf(envelope.recipientInfos, 'recipientInfos')[0];
    const algorithm = childrenOf(ktri, 'ktri')[2];
    assert.deepEqual(Buffer.from(algorithm?.raw ?? []), encodeOaepAlgorithm('sha256'));
  });

  it('refuses a changed encrypted key, wrapped key, ephemeral point, ciphertext or tag: tampered, nothing written', async () => {
    const flipAt = (bytes: Buffer, offset: number) => {
      const copy = Buffer.from(bytes);
      copy[offset] = (copy[offset] ?? 0) ^ 0x01;
      return copy;
    };
    const rsaBytes = opensslEncrypt([pki.rsa]);
    const p256Bytes = opensslEncrypt([pki.p256]);
    const rsaInfo = readRecipientInfos(decodeAuthEnvelopedData(rsaBytes).recipientInfos)[0];
    const ecInfo = readRecipientInfos(decodeAuthEnvelopedData(p256Bytes).recipientInfos)[0];
    assert.ok(rsaInfo?.type === 'ktri' && ecInfo?.type === 'kari');
    const ecEnvelope = decodeAuthEnvelopedData(p256Bytes);
    const variants: [string, Buffer, TestParty][] = [
      ['encrypted key', flipAt(rsaBytes, rsaBytes.indexOf(rsaInfo.encryptedKey) + 77), pki.rsa],
      ['wrapped key', flipAt(p256Bytes, p256Bytes.indexOf(ecInfo.encryptedKey) + 9), pki.p256],
      [
        'ephemeral point',
        flipAt(p256Bytes, p256Bytes.indexOf(ecInfo.originatorPoint) + 40),
        pki.p256,
      ],
      ['ciphertext', flipAt(p256Bytes, p256Bytes.indexOf(ecEnvelope.ciphertext) + 1000), pki.p256],
      ['tag', flipAt(p256Bytes, p256Bytes.length - 1), pki.p256],
    ];
    for (const [what, bytes, party] of variants) {
      const out = join(pki.dir, `tampered-${what.replace(/ /g, '-')}.txt`);
      const attempt = async () => {
        const plaintext = Readable.from([await niemOpen(bytes, party)]);
        await writeAuthenticated(plaintext, out);
      };
      await assert.rejects(attempt(), (e) => kindOf(e) === 'tampered', what);
      assert.equal(
        existsSync(out) || existsSync(`${out}.partial`),
        false,
        `${what}: nothing written`,
      );
    }
  });
});

/** Seals `content` (an encoded SignedData) for `recipients` at `level`, all in memory. */
async function niemSeal(content: Buffer, recipients: SealRecipient[]): Promise<Buffer> {
  const contentKey = generateContentKey();
  const nonce = generateNonce();
  const { field, aad } = encodeAuthAttributes(niemAuthAttributes('mat'));
  const encryptor = new GcmEncryptor(contentKey, nonce, aad);
  const ciphertext = await collect(Readable.from(pieces(content)).pipe(encryptor));
  return encodeAuthEnvelopedData({
    recipientInfos: encodeRecipientInfos(recipients, contentKey),
    contentType: PACKAGE_CONTENT_TYPE,
    contentEncryptionAlgorithm: encodeContentEncryptionAlgorithm(nonce),
    ciphertext,
    authAttrs: field,
    mac: encryptor.tag,
  });
}

describe('Niêm → openssl', () => {
  let signed: Buffer;
  before(() => {
    // prettier-ignore
    signed = openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-nodetach',
      '-in', join(pki.dir, 'message.txt'), '-signer', pki.rsa.certPath, '-inkey', pki.rsa.keyPath]);
  });

  function opensslDecrypt(packageBytes: Buffer, party: TestParty): Buffer {
    const path = join(pki.dir, 'niem.p7m');
    writeFileSync(path, packageBytes);
    // prettier-ignore
    return openssl(['cms', '-decrypt', '-inform', 'DER', '-binary', '-in', path,
      '-inkey', party.keyPath, '-recip', party.certPath]);
  }

  function opensslVerify(signedData: Buffer): Buffer {
    const path = join(pki.dir, 'inner.p7s');
    writeFileSync(path, signedData);
    // prettier-ignore
    return openssl(['cms', '-verify', '-inform', 'DER', '-binary', '-in', path,
      '-CAfile', join(pki.dir, 'ca.pem')]);
  }

  const cases: [string, () => SealRecipient][] = [
    ['RSA-OAEP-SHA256', () => ({ certificate: pki.rsa.certificate })],
    [
      'RSA-OAEP-SHA1 (token without SHA-256)',
      () => ({ certificate: pki.rsa.certificate, oaepHash: 'sha1' }),
    ],
    [
      'RSA-OAEP-SHA256 named by SKI',
      () => ({ certificate: pki.rsa.certificate, identifyBy: 'ski' }),
    ],
    ['ECDH P-256', () => ({ certificate: pki.p256.certificate })],
    ['ECDH P-384', () => ({ certificate: pki.p384.certificate })],
    ['ECDH P-384 named by SKI', () => ({ certificate: pki.p384.certificate, identifyBy: 'ski' })],
  ];
  for (const [name, recipient] of cases) {
    it(`decrypts ${name}, with the authAttrs as AAD, and verifies the SignedData inside`, async () => {
      const sealed = await niemSeal(signed, [recipient()]);
      const party = [pki.rsa, pki.p256, pki.p384].find(
        (p) => p.certificate === recipient().certificate,
      );
      assert.ok(party);
      const inner = opensslDecrypt(sealed, party);
      assert.deepEqual(inner, signed);
      assert.deepEqual(opensslVerify(inner), message);
      assert.deepEqual(await niemOpen(sealed, party), signed, 'and Niêm opens its own');
    });
  }

  it('decrypts one package for RSA, P-256 and P-384 with each key', async () => {
    const sealed = await niemSeal(
      signed,
      [pki.rsa, pki.p256, pki.p384].map((p) => ({ certificate: p.certificate })),
    );
    for (const party of [pki.rsa, pki.p256, pki.p384]) {
      assert.deepEqual(opensslDecrypt(sealed, party), signed);
    }
    const outer = readEnvelopeAttributes(decodeAuthEnvelopedData(sealed).authAttrs);
    assert.equal(outer.label?.level, 'mat');
    assert.equal(outer.contentType, contentTypes.data);
  });

  it('a changed outer level fails the tag, in openssl as in Niêm', async () => {
    const sealed = await niemSeal(signed, [{ certificate: pki.p256.certificate }]);
    const attrs = decodeAuthEnvelopedData(sealed).authAttrs;
    assert.ok(attrs);
    // the classification INTEGER 3 (Mật) inside the label becomes 5 (Tuyệt mật)
    const at =
      sealed.indexOf(attrs.raw) + Buffer.from(attrs.raw).indexOf(Buffer.from([0x02, 0x01, 0x03]));
    const relabelled = Buffer.from(sealed);
    relabelled[at + 2] = 0x05;
    assert.equal(
      readEnvelopeAttributes(decodeAuthEnvelopedData(relabelled).authAttrs).label?.level,
      'tuyet-mat',
    );
    assert.throws(() => opensslDecrypt(relabelled, pki.p256));
    await assert.rejects(niemOpen(relabelled, pki.p256), (e) => kindOf(e) === 'tampered');
  });

  it('is DER that openssl asn1parse reads to the end', async () => {
    const sealed = await niemSeal(signed, [
      { certificate: pki.rsa.certificate },
      { certificate: pki.p384.certificate },
    ]);
    const path = join(pki.dir, 'parse.p7m');
    writeFileSync(path, sealed);
    const dump = openssl(['asn1parse', '-inform', 'DER', '-in', path, '-i']).toString();
    assert.match(dump, /id-smime-ct-authEnvelopedData/);
    assert.match(dump, /rsaesOaep/);
    assert.match(dump, /dhSinglePass-stdDH-sha384kdf-scheme/);
    assert.match(dump, /aes-256-gcm/);
    assert.deepEqual(Buffer.from(decodeCms(readFileSync(path)).raw), sealed);
  });
});
