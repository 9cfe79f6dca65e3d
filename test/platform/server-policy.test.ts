/**
 * The platform's policy on real sealed packages: a level above what the platform is
 * approved for, a recipient that is unknown or not cleared for the level, and, at
 * completion, an envelope that does not say what was declared (another level, not
 * addressed to a declared recipient), bytes that are not a Niêm package or not the
 * declared package. Each is refused with its own code and delivers nothing.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ErrorCode } from '../../native/exchange/platform-wire.ts';
import { ErrorReplySchema } from '../../native/exchange/platform-wire.ts';
import { assertRefused } from './helpers/platform-http.ts';
import {
  G22,
  G99,
  H01,
  sealTestPackage,
  signIn,
  startTestPlatform,
  startUpload,
  uploadWhole,
  type TestPackage,
  type TestPlatform,
} from './helpers/platform-fixture.ts';

let platform: TestPlatform;
let token: string;

before(async () => {
  platform = await startTestPlatform({ approvedLevel: 'toi-mat' });
  token = await signIn(platform, clerk(G22));
});
after(async () => platform.dispose());

function clerk(organId: string) {
  const found = platform.clerks.get(organId);
  assert.ok(found);
  return found;
}

/** Nothing reached any mailbox. */
async function assertNothingDelivered(): Promise<void> {
  for (const organId of [G22, G99, H01]) {
    assert.deepEqual(await platform.store.mailbox(organId, '0', 10), [], organId);
  }
}

function refusedWith(
  reply: Awaited<ReturnType<typeof uploadWhole>>,
  status: number,
  code: ErrorCode,
  organId?: string,
): string {
  const message = assertRefused(reply, status, code);
  assert.equal(ErrorReplySchema.parse(reply.json()).error.organId, organId);
  return message;
}

function rawPackage(bytes: Buffer, level: TestPackage['level'] = 'mat'): TestPackage {
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), level };
}

describe('at declaration', () => {
  it('refuses a package above the level the platform is approved for', async () => {
    const pkg = await sealTestPackage(clerk(G22), [clerk(G22)], 'tuyet-mat', 1024);
    const message = refusedWith(
      await startUpload(platform, token, pkg, [G22]),
      403,
      'level-not-approved',
    );
    assert.match(message, /toi-mat/);
  });

  it('refuses a recipient not cleared for the level, naming it', async () => {
    const pkg = await sealTestPackage(clerk(G22), [clerk(G99), clerk(H01)], 'toi-mat', 1024);
    refusedWith(
      await startUpload(platform, token, pkg, [G99, H01]),
      403,
      'recipient-not-cleared',
      H01,
    );
  });

  it('refuses a recipient the directory does not know, naming it', async () => {
    const pkg = await sealTestPackage(clerk(G22), [clerk(G99)], 'mat', 1024);
    refusedWith(
      await startUpload(platform, token, pkg, [G99, '000.00.00.Z99']),
      422,
      'recipient-unknown',
      '000.00.00.Z99',
    );
    assert.equal(await platform.store.getUpload(pkg.sha256), undefined);
    await assertNothingDelivered();
  });
});

describe('at completion', () => {
  it('refuses an envelope not encrypted to a declared recipient, naming it', async () => {
    const pkg = await sealTestPackage(clerk(G22), [clerk(G99)], 'mat');
    refusedWith(await uploadWhole(platform, token, pkg, [G99, H01]), 422, 'recipient-unknown', H01);
    await assertNothingDelivered();
  });

  it('refuses an envelope whose level is not the declared one', async () => {
    const pkg = await sealTestPackage(clerk(G22), [clerk(G99)], 'mat');
    const message = refusedWith(
      await uploadWhole(platform, token, { ...pkg, level: 'thuong' }, [G99]),
      409,
      'conflict',
    );
    assert.match(message, /level mat/);
    await assertNothingDelivered();
  });

  it('applies a policy changed since the declaration (approved level lowered)', async () => {
    const pkg = await sealTestPackage(clerk(G22), [clerk(G99)], 'mat', 1024);
    const started = await startUpload(platform, token, pkg, [G99]);
    assert.equal(started.status, 201);
    await platform.store.setConfig({ approvedLevel: 'thuong' });
    try {
      refusedWith(await uploadWhole(platform, token, pkg, [G99]), 403, 'level-not-approved');
    } finally {
      await platform.store.setConfig({ approvedLevel: 'toi-mat' });
    }
    await assertNothingDelivered();
  });

  it('refuses bytes that are not a sealed package', async () => {
    const pkg = rawPackage(randomBytes(100 * 1024));
    refusedWith(await uploadWhole(platform, token, pkg, [G99]), 422, 'malformed-package');
    await assertNothingDelivered();
  });

  it('refuses a sealed package followed by extra bytes', async () => {
    const sealed = await sealTestPackage(clerk(G22), [clerk(G99)], 'mat', 1024);
    const pkg = rawPackage(Buffer.concat([sealed.bytes, Buffer.from('thêm')]));
    refusedWith(await uploadWhole(platform, token, pkg, [G99]), 422, 'malformed-package');
    await assertNothingDelivered();
  });

  it('refuses chunks that do not make the declared package', async () => {
    const real = await sealTestPackage(clerk(G22), [clerk(G99)], 'mat', 100 * 1024);
    // Declared as `real`, sent with one byte changed (each chunk with its own digest).
    const changed = Buffer.from(real.bytes);
    const middle = Math.floor(changed.length / 2);
    changed[middle] = (changed[middle] ?? 0) ^ 1;
    const lying = { ...real, bytes: changed };
    refusedWith(await uploadWhole(platform, token, lying, [G99]), 400, 'digest-mismatch');
    await assertNothingDelivered();
  });
});
