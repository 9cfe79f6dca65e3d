/**
 * Audit checkpoints signed by the demo's SoftHSM2 tokens through the seal pipeline's
 * token signer, as at a clerk's logout: VPCP-VANTHU (RSA-3072) and BTP-VANTHU (EC P-384).
 * The token signs the digest; verifyAudit checks the signature in software against the
 * token certificate, and a rewrite with recomputed hashes is still caught.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { checkpointAudit, verifyAudit } from '../../native/audit/index.ts';
import { tokenSigner } from '../../native/seal/pipeline/token-adapters.ts';
import { TokenService } from '../../native/token/token-service.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { openAuditDb, rewriteCascade, seedLog } from '../unit/audit-fixture.ts';
import { buildDemo, softhsmPath, tempDir } from './helpers/softhsm-fixture.ts';

describe('audit checkpoints signed on SoftHSM2 tokens', () => {
  let demo: DemoManifest;
  let dir: { path: string; dispose: () => void };
  before(() => {
    dir = tempDir('audit-token');
    demo = buildDemo(dir.path);
  });
  after(() => dir.dispose());

  for (const label of ['VPCP-VANTHU', 'BTP-VANTHU']) {
    it(`${label}: a logout checkpoint verifies against the token certificate and catches a rewrite`, async () => {
      const token = demo.tokens.find((t) => t.label === label);
      assert.ok(token, `demo token ${label}`);
      const certificate = new Uint8Array(
        new X509Certificate(readFileSync(token.certificatePem)).raw,
      );
      const service = await TokenService.open({ modules: [softhsmPath] });
      const { db, cleanup } = openAuditDb('file');
      try {
        const info = (await service.listTokens()).find((t) => t.label === label);
        assert.ok(info, `${label} is listed`);
        await service.login(info.id, token.pin);
        seedLog(db, 6);
        const checkpoint = await checkpointAudit(db, await tokenSigner(service));
        assert.equal(checkpoint?.seq, 6);
        const options = { trustedCertificates: [certificate] };
        const report = verifyAudit(db, options);
        assert.equal(report.ok, true, JSON.stringify(report.problems));
        assert.equal(report.coveredSeq, 6);

        rewriteCascade(db, 3, { actor: 'Lê Văn Cường' });
        assert.deepEqual(verifyAudit(db, options).problems, [
          { problem: 'checkpoint-mismatch', seq: 1, lastSeq: 6 },
        ]);
      } finally {
        cleanup();
        await service.close();
      }
    });
  }
});
