/**
 * Documents of several MiB (many 1 MiB reads into the seal's one reused read buffer,
 * sizes not multiples of it) come out of a sealed package byte for byte, and a signed
 * body written to a file (whose chunks a write queue keeps) is not corrupted by it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openPackage, sealPackage, signPackage } from '../../native/seal/pipeline/index.ts';
import { softwareSigner, verifySignedData } from '../../native/seal/signed-data/index.ts';
import { readNiemBody } from '../../native/seal/tar/index.ts';
import { makeTestPki, type TestPki } from './seal-cms-crypto-pki.ts';
import { makeSignedDataPki, type SignedDataPki } from './seal-signed-data-pki.ts';

let sd: SignedDataPki;
let rc: TestPki;
let work: string;
const at = (name: string) => path.join(work, name);
const files = {
  'ban-do.tif': randomBytes(5 * 1024 * 1024 + 333),
  'phu-luc.pdf': randomBytes(1024 * 1024 + 1),
  'ghi-chu.txt': Buffer.from('Ghi chú ngắn.\n'),
};

before(() => {
  sd = makeSignedDataPki();
  rc = makeTestPki();
  work = mkdtempSync(path.join(tmpdir(), 'niem-chunks-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(at(name), bytes);
});
after(() => {
  sd.cleanup();
  rc.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('large documents through the seal and the signed body', () => {
  it('sealed: every document opens byte for byte', async () => {
    await sealPackage({
      files: Object.keys(files).map(at),
      level: 'mat',
      signers: [softwareSigner(sd.p256.key, sd.p256.der)],
      certificates: sd.intermediates,
      sender: { certificate: readFileSync(rc.p256.certPath, 'utf8') },
      recipients: [],
      out: at('big.p7m'),
    });
    const report = await openPackage({
      path: at('big.p7m'),
      keys: [rc.p256.key],
      trustAnchors: [sd.root.der],
      outDir: at('opened'),
    });
    assert.equal(report.committed, true);
    for (const [name, bytes] of Object.entries(files)) {
      assert.ok(readFileSync(path.join(at('opened'), name)).equals(bytes), name);
    }
  });

  it('signed body: every document reads back byte for byte', async () => {
    await signPackage({
      files: Object.keys(files).map(at),
      level: 'mat',
      signers: [softwareSigner(sd.p256.key, sd.p256.der)],
      certificates: sd.intermediates,
      out: at('big.p7s'),
    });
    const seen = new Map<string, Buffer>();
    const report = await verifySignedData(readFileSync(at('big.p7s')), {
      trustAnchors: [sd.root.der],
      onContent: async (chunks) => {
        const body = await readNiemBody(chunks);
        for await (const document of body.documents) {
          const parts: Buffer[] = [];
          for await (const chunk of document.body) parts.push(Buffer.from(chunk));
          seen.set(document.name, Buffer.concat(parts));
        }
      },
    });
    assert.equal(report.verdict, 'valid');
    for (const [name, bytes] of Object.entries(files)) {
      assert.ok(seen.get(name)?.equals(bytes), name);
    }
  });
});
