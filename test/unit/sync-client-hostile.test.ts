/**
 * The platform client against a hostile platform (./sync-hostile-server.ts: a real HTTPS
 * server on loopback with a certificate of the test PKI, answering what each test makes
 * it answer). Each refusal is checked against an honest control first, so a test fails
 * for the one thing it changes: uploads and their receipts (bad signature, untrusted
 * signer, another package, size, level, recipients or sender; a start reply that lies
 * about chunks), downloads (ETag, Content-Range, status, type, dropped), the directory
 * (ETag not the body's hash) and the mailbox (malformed, wrong shape, huge, out of order).
 * Every refusal is the stated error kind and returns nothing.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, afterEach, describe, it } from 'node:test';
import { decodeBer, type AsnNode } from '../../native/seal/ber/index.ts';
import { MAX_JSON_BYTES, routes } from '../../native/exchange/platform-wire.ts';
import type { PlatformApi } from '../../native/sync/platform-api.ts';
import {
  CHUNK,
  clientFor,
  drain,
  rejectsWith,
  serveUpload,
  testPackage,
  type TestPackage,
} from './sync-hostile-fixture.ts';
import { json, startHostileServer, type HostileServer } from './sync-hostile-server.ts';
import { makeSyncTestPki, type SyncTestPki } from './sync-tls-pki.ts';

let t: SyncTestPki;
let server: HostileServer;
let client: PlatformApi;
before(() => {
  t = makeSyncTestPki();
});
after(() => t.cleanup());
beforeEach(async () => {
  server = await startHostileServer(t.server);
  client = clientFor(server, t);
});
afterEach(async () => {
  await client.close();
  await server.close();
});

const CHUNKS = /^\/v1\/uploads\/[0-9a-f]{64}\/chunks\//;
const COMPLETE = /\/complete$/;
const noProgress = (): void => undefined;

function kids(node: AsnNode | undefined): readonly AsnNode[] {
  assert.ok(node?.constructed === true, 'a constructed node');
  return node.children;
}

/** Flips a byte inside the SignerInfo's signature value of a statement. */
function flipSignature(der: Buffer): Buffer {
  // ContentInfo → [0] → SignedData → signerInfos (last) → SignerInfo → signature (last OCTET STRING)
  const signedData = kids(kids(decodeBer(der))[1])[0];
  const signerInfo = kids(kids(signedData).at(-1))[0];
  const signature = kids(signerInfo).findLast(
    (c) => c.tagClass === 'universal' && c.tagNumber === 4,
  );
  assert.ok(signature !== undefined);
  const out = Buffer.from(der);
  const at = signature.offset + signature.headerLength + 8;
  out[at] = (out[at] as number) ^ 0x01;
  return out;
}

describe('upload against a hostile platform', () => {
  let pkg: TestPackage;
  beforeEach(() => {
    pkg = testPackage(3 * CHUNK + 5_000);
  });

  it('control: an honest platform gets every chunk with its digest and a receipt comes back', async () => {
    const held = serveUpload(server, t, pkg);
    const seen: number[] = [];
    const receipt = await client.upload(pkg, (done, total) => {
      assert.equal(total, pkg.size);
      seen.push(done);
    });
    assert.equal(receipt.statement.sha256, pkg.sha256);
    assert.equal(receipt.statement.sender, '000.00.00.G22');
    assert.equal(seen.at(-1), pkg.size);
    const sent = Buffer.concat([0, 1, 2, 3].map((i) => held.get(i) ?? Buffer.alloc(0)));
    assert.ok(sent.equals(pkg.bytes), 'the chunks reassemble to the package');
    assert.ok(server.connections() <= 2, 'kept alive: one connection per chunk in flight at most');
    // The auth proof the platform received is a valid statement for this origin.
    const proof = JSON.parse(
      server.requests('POST', routes.session.path)[0]?.body.toString() ?? '',
    );
    assert.match(proof.proof, /^[A-Za-z0-9+/]+=*$/);
  });

  it('keeps its connection: one chunk at a time, every request on one connection', async () => {
    serveUpload(server, t, pkg);
    const one = clientFor(server, t, { uploadConcurrency: 1 });
    await one.upload(pkg, noProgress);
    await one.close();
    assert.equal(server.requests('PUT', CHUNKS).length, 4);
    assert.equal(server.connections(), 1);
  });

  it('resumes: only the chunks the platform lacks are sent, progress starts at what it holds', async () => {
    const held = serveUpload(server, t, pkg, { received: [0, 2] });
    const seen: number[] = [];
    await client.upload(pkg, (done) => seen.push(done));
    assert.deepEqual([...held.keys()].sort(), [1, 3]);
    assert.equal(seen[0], 2 * CHUNK);
    assert.ok(held.get(1)?.equals(pkg.bytes.subarray(CHUNK, 2 * CHUNK)));
  });

  it('a package already complete returns its receipt without sending a byte', async () => {
    serveUpload(server, t, pkg, { completeAtStart: true });
    const receipt = await client.upload(pkg, noProgress);
    assert.equal(receipt.statement.size, pkg.size);
    assert.equal(server.requests('PUT', CHUNKS).length, 0);
    assert.equal(server.requests('POST', COMPLETE).length, 0);
  });

  const receiptTwists: [string, Parameters<typeof serveUpload>[3]][] = [
    ['a flipped signature byte', { tamper: flipSignature }],
    ['a signer under another root', { signer: () => t.strangerSigner() }],
    ['another package hash', { receipt: { sha256: 'ab'.repeat(32) } }],
    ['another size', { receipt: { size: 3 * CHUNK + 5_001 } }],
    ['another level', { receipt: { level: 'thuong' } }],
    ['other recipients', { receipt: { recipients: ['000.00.00.H26'] } }],
    [
      'an extra recipient',
      { receipt: { recipients: ['000.00.00.H26', '000.00.01.H26', 'X00.00.00.H26'] } },
    ],
    ['another sender', { receipt: { sender: '000.00.00.H26' } }],
    ['a statement that is not JSON', { tamper: () => Buffer.from('not a receipt') }],
  ];
  for (const [what, twist] of receiptTwists) {
    it(`a receipt with ${what} is refused: the upload returns no receipt`, async () => {
      serveUpload(server, t, pkg, twist);
      await rejectsWith(client.upload(pkg, noProgress), 'platform-bad-reply', /receipt/);
      assert.equal(
        server.requests('POST', COMPLETE).length,
        1,
        'the client got as far as completing',
      );
    });
  }

  it('a receipt held at start that names another package is refused before anything is sent', async () => {
    serveUpload(server, t, pkg, { completeAtStart: true, receipt: { sha256: 'ab'.repeat(32) } });
    await rejectsWith(client.upload(pkg, noProgress), 'platform-bad-reply', /not for this package/);
    assert.equal(server.requests('PUT', CHUNKS).length, 0);
  });

  const statusTwists: [string, Parameters<typeof serveUpload>[3]][] = [
    ['a chunk size below the minimum', { chunkBytes: 1024 }],
    ['a chunk size above the maximum', { chunkBytes: 128 * 1024 * 1024 }],
    ['a chunk count that does not fit the size', { status: { chunkCount: 9 } }],
    ['another package', { status: { sha256: 'ab'.repeat(32) } }],
    ['another size', { status: { size: 12 } }],
    ['a held chunk outside the upload', { received: [0, 7] }],
    ['held chunks out of order', { received: [2, 0] }],
    ['complete without a receipt', { status: { state: 'complete' } }],
    ['an unknown field', { status: { extra: 1 } as object }],
  ];
  for (const [what, twist] of statusTwists) {
    it(`a start reply with ${what} is refused before a chunk is sent`, async () => {
      serveUpload(server, t, pkg, twist);
      await rejectsWith(client.upload(pkg, noProgress), 'platform-bad-reply');
      assert.equal(server.requests('PUT', CHUNKS).length, 0);
    });
  }

  it('upload status: unknown is undefined, a status for another package is refused', async () => {
    const path = `/v1/uploads/${pkg.sha256}`;
    assert.equal(await client.uploadStatus(pkg.sha256), undefined); // the server's 404 not-found
    const other = { sha256: 'ab'.repeat(32), size: 9, chunkBytes: CHUNK, chunkCount: 1 };
    server.on('GET', path, (_req, res) =>
      json(res, 200, { ...other, received: [], state: 'open' }),
    );
    await rejectsWith(client.uploadStatus(pkg.sha256), 'platform-bad-reply', /another package/);
  });

  it('a refusal of the platform carries its code and the agency concerned', async () => {
    server.on('POST', routes.startUpload.path, (_req, res) =>
      json(res, 403, {
        error: { code: 'recipient-not-cleared', message: 'no', organId: '000.00.01.H26' },
      }),
    );
    const err = await rejectsWith(client.upload(pkg, noProgress), 'platform-refused');
    assert.deepEqual(err.detail, { code: 'recipient-not-cleared', organId: '000.00.01.H26' });
  });

  it('an abort stops the upload in flight: no completion, the signal reason is thrown', async () => {
    serveUpload(server, t, pkg);
    const controller = new AbortController();
    server.on('PUT', CHUNKS, () => controller.abort(new Error('the engine stopped'))); // never answers
    await assert.rejects(client.upload(pkg, noProgress, controller.signal), /the engine stopped/);
    assert.equal(server.requests('POST', COMPLETE).length, 0);
    assert.ok(server.requests('PUT', CHUNKS).length <= 2);
  });
});

describe('download from a hostile platform', () => {
  const pkg = testPackage(100_000);
  const path = `/v1/packages/${pkg.sha256}`;

  function serve(headers: (start: number) => Record<string, string>, status?: number): void {
    server.on('GET', path, (req, res) => {
      const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      const body = pkg.bytes.subarray(start);
      res.writeHead(status ?? (start > 0 ? 206 : 200), {
        'content-type': 'application/octet-stream',
        'content-length': String(body.length),
        etag: `"${pkg.sha256}"`,
        ...(start > 0 ? { 'content-range': `bytes ${start}-${pkg.size - 1}/${pkg.size}` } : {}),
        ...headers(start),
      });
      res.end(body);
    });
  }

  it('control: the whole package, then a resume from an offset with Range', async () => {
    serve(() => ({}));
    const whole = await drain(client.download(pkg.sha256, 0));
    assert.equal(whole.error, undefined);
    assert.ok(whole.bytes.equals(pkg.bytes));
    const rest = await drain(client.download(pkg.sha256, 60_000));
    assert.equal(rest.error, undefined);
    assert.ok(rest.bytes.equals(pkg.bytes.subarray(60_000)));
    assert.equal(server.requests('GET', path)[1]?.headers.range, 'bytes=60000-');
  });

  const twists: [string, number, (start: number) => Record<string, string>, number?][] = [
    ['an ETag of another package', 0, () => ({ etag: `"${'ab'.repeat(32)}"` })],
    ['a weak ETag', 0, () => ({ etag: `W/"${pkg.sha256}"` })],
    [
      'a Content-Range that starts elsewhere',
      60_000,
      () => ({ 'content-range': `bytes 0-99999/100000` }),
    ],
    [
      'a Content-Range that ends short',
      60_000,
      () => ({ 'content-range': `bytes 60000-80000/100000` }),
    ],
    ['the whole package (200) for a resume', 60_000, () => ({}), 200],
    ['a text/html body', 0, () => ({ 'content-type': 'text/html' })],
  ];
  for (const [what, offset, headers, status] of twists) {
    it(`a download with ${what} is refused and yields nothing`, async () => {
      serve(headers, status);
      const { bytes, error } = await drain(client.download(pkg.sha256, offset));
      await rejectsWith(Promise.reject(error), 'platform-bad-reply');
      assert.equal(bytes.length, 0);
    });
  }

  it('a connection dropped mid-body is platform-unreachable', async () => {
    server.on('GET', path, (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(pkg.size),
        etag: `"${pkg.sha256}"`,
      });
      res.write(pkg.bytes.subarray(0, 30_000), () => setTimeout(() => res.socket?.destroy(), 50));
    });
    const { bytes, error } = await drain(client.download(pkg.sha256, 0));
    await rejectsWith(Promise.reject(error), 'platform-unreachable');
    assert.ok(bytes.length < pkg.size);
  });
});

describe('directory and mailbox from a hostile platform', () => {
  const directory = (): Buffer =>
    Buffer.from(
      JSON.stringify({
        format: 'niem-directory',
        version: 1,
        agencies: [
          {
            organId: '000.00.00.H26',
            name: 'Sở Nội vụ',
            clearance: 'toi-mat',
            keyTransport: 'oaep-sha256',
            certificates: [Buffer.from(t.pki.rsa.der).toString('base64')],
          },
        ],
      }),
    );
  const tagOf = (b: Buffer): string => `"${createHash('sha256').update(b).digest('hex')}"`;

  function serveDirectory(body: Buffer, etag: string): void {
    server.on('GET', routes.directory.path, (req, res) => {
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
    });
  }

  it('control: a directory whose ETag is its hash, then 304 for that ETag', async () => {
    const body = directory();
    serveDirectory(body, tagOf(body));
    const first = await client.directory(undefined);
    assert.ok(first.changed);
    assert.equal(first.etag, tagOf(body));
    assert.deepEqual(await client.directory(first.etag), { changed: false });
  });

  it('a directory whose ETag is not the hash of its body is refused', async () => {
    serveDirectory(directory(), tagOf(Buffer.from('another body')));
    await rejectsWith(client.directory(undefined), 'platform-bad-reply', /ETag/);
  });

  it('a 304 to a client that holds no directory is refused', async () => {
    server.on('GET', routes.directory.path, (_req, res) => void res.writeHead(304).end());
    await rejectsWith(client.directory(undefined), 'platform-bad-reply');
  });

  it('a directory that the vault could not import is refused', async () => {
    const body = Buffer.from(
      JSON.stringify({ format: 'niem-directory', version: 1, agencies: [{}] }),
    );
    serveDirectory(body, tagOf(body));
    await rejectsWith(client.directory(undefined), 'platform-bad-reply', /cannot be imported/);
  });

  const mailbox = (entries: unknown[]) => ({ entries, acked: '0', more: false });
  const entry = (cursor: string) => ({
    cursor,
    kind: 'package',
    sha256: 'ab'.repeat(32),
    size: 10,
    level: 'mat',
    sender: '000.00.00.H26',
    at: '2026-03-01T08:00:00.000Z',
  });
  const replies: [string, (res: ServerResponse) => void][] = [
    [
      'malformed JSON',
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"entries": ['),
    ],
    ['JSON of the wrong shape', (res) => json(res, 200, { entries: 'none', acked: 0 })],
    ['an entry with an unknown field', (res) => json(res, 200, mailbox([{ ...entry('1'), x: 1 }]))],
    ['entries out of order', (res) => json(res, 200, mailbox([entry('5'), entry('3')]))],
    ['a text/plain body', (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('{}')],
    [
      'invalid UTF-8',
      (res) =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(Buffer.from([0x22, 0xff, 0x22])),
    ],
    [
      'a body over the JSON limit (streamed without a length)',
      (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const piece = Buffer.alloc(1024 * 1024, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (sent <= MAX_JSON_BYTES + piece.length) {
            sent += piece.length;
            if (!res.write(piece)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => undefined);
        pump();
      },
    ],
    [
      'a declared length over the JSON limit',
      (res) =>
        res
          .writeHead(200, {
            'content-type': 'application/json',
            'content-length': String(MAX_JSON_BYTES + 1),
          })
          .write('{'),
    ],
  ];
  for (const [what, reply] of replies) {
    it(`a mailbox reply with ${what} is refused`, async () => {
      server.on('GET', routes.mailbox.path, (_req, res) => reply(res));
      await rejectsWith(client.mailbox(undefined), 'platform-bad-reply');
    });
  }

  it('control: a well-formed mailbox reply is returned as sent', async () => {
    server.on('GET', routes.mailbox.path, (_req, res) =>
      json(res, 200, mailbox([entry('1'), entry('2')])),
    );
    const reply = await client.mailbox(undefined, 10);
    assert.deepEqual(
      reply.entries.map((e) => e.cursor),
      ['1', '2'],
    );
  });
});
