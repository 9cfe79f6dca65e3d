/**
 * cms-crypto building blocks: the DER reader's refusals, GCMParameters as openssl writes
 * them, streaming AES-GCM with authAttrs arriving after the content, commit-after-verify,
 * the X9.63 KDF (against openssl), AES key wrap (RFC 3394), the security label.
 */
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { NiemError } from '../../native/api/errors.ts';
import { oid as derOid } from '../../native/seal/ber/index.ts';
import {
  childrenOf,
  decodeCms,
  MAX_DEPTH,
  octets as readOctets,
  oidOf as readOid,
} from '../../native/seal/cms-crypto/asn.ts';
import { addAadToTag } from '../../native/seal/cms-crypto/ghash.ts';
import {
  aesKeyUnwrap,
  aesKeyWrap,
  authAttributesAad,
  eccCmsSharedInfo,
  encodeAuthAttributes,
  encodeContentEncryptionAlgorithm,
  encodeSecurityLabel,
  GcmDecryptor,
  GcmEncryptor,
  generateContentKey,
  generateNonce,
  keyWrap,
  niem,
  niemAuthAttributes,
  readContentEncryptionAlgorithm,
  readEnvelopeAttributes,
  readSecurityLabel,
  writeAuthenticated,
  x963Kdf,
  type GcmAlgorithm,
} from '../../native/seal/cms-crypto/index.ts';
import { openssl } from './seal-cms-crypto-pki.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Splits `data` into chunks of random sizes (1..maxChunk). */
function chunks(data: Buffer, maxChunk = 5000): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length;) {
    const n = 1 + Math.floor(Math.random() * maxChunk);
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function encrypt(key: Buffer, nonce: Buffer, plain: Buffer, aad?: Buffer) {
  const encryptor = new GcmEncryptor(key, nonce, aad);
  const ciphertext = await collect(Readable.from(chunks(plain)).pipe(encryptor));
  return { ciphertext, tag: encryptor.tag };
}

function kindOf(err: unknown): string {
  return err instanceof NiemError ? err.kind : `not a NiemError: ${String(err)}`;
}

describe('DER reader', () => {
  it('round-trips OIDs, the big UUID arc included', () => {
    for (const oid of [niem.securityPolicy, '1.2.840.113549.1.9.16.1.23', '2.999.3', '0.9.2342']) {
      assert.equal(readOid(decodeCms(derOid(oid)), 'oid'), oid);
    }
  });

  it('reads BER: indefinite lengths and constructed octet strings', () => {
    // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { 'ab', 'cd' } }
    const ber = hex('3080 2480 0401ab 0401cd 0000 0000');
    const node = decodeCms(ber);
    assert.deepEqual(readOctets(childrenOf(node, 'test')[0], 'octets'), hex('abcd'));
  });

  it('refuses truncation, trailing bytes, primitive indefinite and deep nesting as malformed', () => {
    const bad = [
      hex('3005 0203 01'),
      hex('0500 00'),
      hex('0480 0000'),
      hex('30'),
      hex('3084 ffffffff'),
      hex('3085 0000000001 00'),
    ];
    // MAX_DEPTH + 2 nested indefinite SEQUENCEs
    const deep = Buffer.concat([
      Buffer.from(Array.from({ length: MAX_DEPTH + 2 }, () => [0x30, 0x80]).flat()),
      Buffer.alloc((MAX_DEPTH + 2) * 2),
    ]);
    for (const bytes of [...bad, deep]) {
      assert.throws(
        () => decodeCms(bytes),
        (err) => kindOf(err) === 'malformed',
      );
    }
  });
});

describe('content encryption algorithm (RFC 5084)', () => {
  it('writes aes256-GCM with GCMParameters exactly as openssl does', () => {
    const nonce = hex('1ce400dd8ee17b88ee135441');
    assert.deepEqual(
      encodeContentEncryptionAlgorithm(nonce),
      hex('301e 0609 60864801650304012e 3011 040c 1ce400dd8ee17b88ee135441 020110'),
    );
    const read = readContentEncryptionAlgorithm(decodeCms(encodeContentEncryptionAlgorithm(nonce)));
    assert.deepEqual(read, { keyBytes: 32, nonce, icvLength: 16 });
  });

  it('reads the DEFAULT ICV length 12, and refuses other ciphers and nonce sizes', () => {
    const noIcv = hex('3011 0609 608648016503040106 3004 0402 0000'); // aes128-GCM, 2-byte nonce
    assert.throws(() => readContentEncryptionAlgorithm(decodeCms(noIcv)), /2-byte nonce/);
    const dflt = hex('301b 0609 608648016503040106 300e 040c 000000000000000000000000');
    assert.equal(readContentEncryptionAlgorithm(decodeCms(dflt)).icvLength, 12);
    const cbc = hex('301d 0609 60864801650304012a 0410 00000000000000000000000000000000');
    assert.throws(
      () => readContentEncryptionAlgorithm(decodeCms(cbc)),
      (err) => kindOf(err) === 'malformed',
    );
  });
});

describe('streaming AES-GCM', () => {
  it('adds AAD to a tag after the content exactly as GCM would (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.uint8Array({ maxLength: 300 }),
        (plain, aad) => {
          const key = randomBytes(32);
          const nonce = randomBytes(12);
          const withAad = createCipheriv('aes-256-gcm', key, nonce);
          withAad.setAAD(aad);
          withAad.update(plain);
          withAad.final();
          const bare = createCipheriv('aes-256-gcm', key, nonce);
          bare.update(plain);
          bare.final();
          const ecb = createCipheriv('aes-256-ecb', key, null);
          ecb.setAutoPadding(false);
          const h = ecb.update(Buffer.alloc(16));
          const tag = addAadToTag(bare.getAuthTag(), h, aad, plain.length);
          assert.deepEqual(tag, withAad.getAuthTag());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('round-trips chunked content with authAttrs given after the content', async () => {
    const key = generateContentKey();
    const nonce = generateNonce();
    const { aad } = encodeAuthAttributes(niemAuthAttributes('toi-mat'));
    const plain = randomBytes(300_000);
    const { ciphertext, tag } = await encrypt(key, nonce, plain, aad);
    const algorithm: GcmAlgorithm = { keyBytes: 32, nonce, icvLength: 16 };
    const decryptor = new GcmDecryptor(key, algorithm);
    const source = Readable.from(chunks(ciphertext));
    const output = collect(source.pipe(decryptor));
    setTimeout(() => decryptor.provideTrailer({ mac: tag, aad }), 20); // arrives late
    assert.deepEqual(await output, plain);
    assert.equal(decryptor.verified, true);
  });

  it('matches Node GCM without authAttrs and with an empty content', async () => {
    const key = generateContentKey();
    const nonce = generateNonce();
    for (const plain of [Buffer.alloc(0), randomBytes(17)]) {
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
      const decryptor = new GcmDecryptor(
        key,
        { keyBytes: 32, nonce, icvLength: 16 },
        {
          mac: cipher.getAuthTag(),
        },
      );
      assert.deepEqual(await collect(Readable.from([ciphertext]).pipe(decryptor)), plain);
    }
  });

  it('refuses a flipped bit in the ciphertext, the tag or the authAttrs: tampered, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'niem-gcm-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const key = generateContentKey();
    const nonce = generateNonce();
    const { aad } = encodeAuthAttributes(niemAuthAttributes('mat'));
    const plain = randomBytes(100_000);
    const { ciphertext, tag } = await encrypt(key, nonce, plain, aad);
    const flip = (b: Buffer, i: number) => {
      const c = Buffer.from(b);
      c[i] = (c[i] ?? 0) ^ 0x01;
      return c;
    };
    const cases = {
      ciphertext: { c: flip(ciphertext, 54_321), mac: tag, aad },
      tag: { c: ciphertext, mac: flip(tag, 15), aad },
      aad: { c: ciphertext, mac: tag, aad: flip(aad, aad.length - 1) },
      'no aad': { c: ciphertext, mac: tag, aad: undefined },
      'short tag': { c: ciphertext, mac: tag.subarray(0, 12), aad },
    };
    for (const [name, { c, mac, aad: a }] of Object.entries(cases)) {
      const path = join(dir, `${name}.bin`);
      const decryptor = new GcmDecryptor(
        key,
        { keyBytes: 32, nonce, icvLength: 16 },
        { mac, aad: a },
      );
      await assert.rejects(
        writeAuthenticated(Readable.from(chunks(c)).pipe(decryptor), path),
        (err) => kindOf(err) === 'tampered',
        name,
      );
      assert.equal(existsSync(path), false, `${name}: no file`);
      assert.equal(existsSync(`${path}.partial`), false, `${name}: no partial file`);
      assert.equal(decryptor.verified, false);
    }
  });

  it('commits the file only after the tag and the caller’s check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'niem-gcm-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const key = generateContentKey();
    const nonce = generateNonce();
    const plain = randomBytes(70_000);
    const { ciphertext, tag } = await encrypt(key, nonce, plain);
    const algorithm: GcmAlgorithm = { keyBytes: 32, nonce, icvLength: 16 };
    const path = join(dir, 'ok.bin');
    let sawPartial = false;
    await writeAuthenticated(
      Readable.from(chunks(ciphertext)).pipe(new GcmDecryptor(key, algorithm, { mac: tag })),
      path,
      () => {
        sawPartial = existsSync(`${path}.partial`) && !existsSync(path);
      },
    );
    assert.equal(sawPartial, true);
    assert.deepEqual(readFileSync(path), plain);
    assert.equal(existsSync(`${path}.partial`), false);

    const refused = join(dir, 'refused.bin');
    await assert.rejects(
      writeAuthenticated(
        Readable.from([ciphertext]).pipe(new GcmDecryptor(key, algorithm, { mac: tag })),
        refused,
        () => {
          throw new NiemError('tampered', 'signature did not verify');
        },
      ),
      (err) => kindOf(err) === 'tampered',
    );
    assert.equal(existsSync(refused) || existsSync(`${refused}.partial`), false);
  });

  it('takes the authAttrs AAD from the received [1] field', () => {
    const { field, aad } = encodeAuthAttributes(niemAuthAttributes('thuong'));
    assert.equal(field[0], 0xa1);
    assert.equal(aad[0], 0x31);
    assert.deepEqual(authAttributesAad(field), aad);
  });
});

describe('key derivation and key wrap', () => {
  it('ECC-CMS-SharedInfo for aes256-wrap without ukm is the 23 bytes openssl hashes', () => {
    const wrap = hex('300b 0609 60864801650304012d');
    assert.deepEqual(
      eccCmsSharedInfo(wrap, 32),
      hex('3015 300b060960864801650304012d a206 0404 00000100'),
    );
    assert.deepEqual(
      eccCmsSharedInfo(wrap, 32, hex('0102')),
      hex('301b 300b060960864801650304012d a004 04020102 a206 0404 00000100'),
    );
  });

  it('X9.63 KDF agrees with openssl’s X963KDF for SHA-256 and SHA-384', () => {
    for (const [hash, name, bytes] of [
      ['sha256', 'SHA256', 32],
      ['sha384', 'SHA384', 32],
      ['sha256', 'SHA256', 80],
    ] as const) {
      const z = randomBytes(48);
      const info = randomBytes(23);
      // prettier-ignore
      const expected = openssl([
        'kdf', '-keylen', String(bytes), '-kdfopt', `digest:${name}`,
        '-kdfopt', `hexsecret:${z.toString('hex')}`, '-kdfopt', `hexinfo:${info.toString('hex')}`,
        '-binary', 'X963KDF',
      ]);
      assert.deepEqual(x963Kdf(hash, z, info, bytes), expected);
    }
  });

  it('AES-256 key wrap matches RFC 3394 §4.6 and refuses a changed blob as tampered', () => {
    const kek = hex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
    const key = hex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');
    const wrapped = hex(
      '28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21',
    );
    assert.deepEqual(aesKeyWrap(kek, key), wrapped);
    assert.deepEqual(aesKeyUnwrap(kek, wrapped), key);
    const changed = Buffer.from(wrapped);
    changed[3] = (changed[3] ?? 0) ^ 0x80;
    assert.throws(
      () => aesKeyUnwrap(kek, changed),
      (err) => kindOf(err) === 'tampered',
    );
    assert.throws(
      () => aesKeyUnwrap(kek, wrapped.subarray(0, 20)),
      (err) => kindOf(err) === 'tampered',
    );
    assert.equal(keyWrap.aes256Wrap, '2.16.840.1.101.3.4.1.45');
  });
});

describe('security label and envelope attributes', () => {
  it('encodes each level under Niêm’s policy with its ESS classification and marking', () => {
    const expected = {
      thuong: [1, undefined],
      mat: [3, 'MẬT'],
      'toi-mat': [4, 'TỐI MẬT'],
      'tuyet-mat': [5, 'TUYỆT MẬT'],
    } as const;
    for (const [level, [classification, mark]] of Object.entries(expected)) {
      const label = readSecurityLabel(
        decodeCms(encodeSecurityLabel(level as keyof typeof expected)),
      );
      assert.deepEqual(label, {
        policy: niem.securityPolicy,
        classification,
        privacyMark: mark,
        level,
      });
    }
  });

  it('reads back the contentType and the outer label of niemAuthAttributes', () => {
    const { field } = encodeAuthAttributes(niemAuthAttributes('tuyet-mat'));
    const read = readEnvelopeAttributes(decodeCms(field));
    assert.equal(read.contentType, '1.2.840.113549.1.7.1');
    assert.equal(read.formatVersion, 1);
    assert.equal(read.label?.level, 'tuyet-mat');
  });

  it('does not give a level for a foreign policy or an unknown classification', () => {
    const foreign = hex('310b 020104 0606 2a0304050607'); // classification 4, policy 1.2.3.4.5.6.7
    assert.equal(readSecurityLabel(decodeCms(foreign)).level, undefined);
  });
});
