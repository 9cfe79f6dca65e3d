/**
 * `niem seal` / `niem open` interrupted midway (issue 4 item 2): SIGINT and SIGTERM remove
 * the partial output (`PKG.p7m.partial`, `DIR/.partial-*`, DIR and its parents when the run created them)
 * and exit 130 / 143; a SIGKILL, which cannot be caught, leaves its partial behind, and
 * the next seal or open into the same place removes it. Real CLI, demo SoftHSM2 tokens,
 * a 300 MiB input so that the signal lands while the partial is being written.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  ftruncateSync,
  openSync,
  readdirSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, type DemoManifest } from '../../scripts/demo-manifest.ts';
import { buildDemo, softhsmPath, tempDir } from './helpers/softhsm-fixture.ts';

const cli = join(repoRoot, 'cli/niem.js');
const BIG = 300 * 1024 * 1024;

describe('niem seal / open interrupted', () => {
  const tmp = tempDir('seal-interrupt');
  const dir = tmp.path;
  const at = (name: string) => join(dir, name);
  let demo: DemoManifest;
  let env: NodeJS.ProcessEnv;
  const pins: Record<string, string> = {};

  const sealArgs = (out: string) => [
    'seal',
    '--token',
    'VPCP-VANTHU',
    '--to',
    'btp.pem',
    '--level',
    'mat',
    '--out',
    out,
    'big.bin',
  ];
  const openArgs = (pkg: string, out: string) => [
    'open',
    pkg,
    '--token',
    'BTP-VANTHU',
    '--out',
    out,
    '--trust',
    'demo-ca.pem',
  ];

  function start(args: string[], label: string): ChildProcess {
    return spawn(process.execPath, [cli, ...args], {
      cwd: dir,
      env: { ...env, NIEM_PIN: pins[label] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
    return new Promise((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  /** Polls until `probe` is true (or the child ended: then fails). */
  async function until(child: ChildProcess, probe: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (!probe()) {
      if (child.exitCode !== null)
        assert.fail(`${what}: the command ended first (${child.exitCode})`);
      if (Date.now() > deadline) assert.fail(`${what}: not seen in time`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const partialDirs = (out: string) =>
    existsSync(at(out)) ? readdirSync(at(out)).filter((n) => n.startsWith('.partial-')) : [];

  before(() => {
    demo = buildDemo(join(dir, 'demo'));
    for (const t of demo.tokens) {
      pins[t.label] = t.pin;
      if (t.label === 'BTP-VANTHU') copyFileSync(t.certificatePem, at('btp.pem'));
    }
    copyFileSync(demo.caChainPem, at('demo-ca.pem'));
    env = {
      ...process.env,
      SOFTHSM2_CONF: demo.softhsm2Conf,
      NIEM_PKCS11_MODULE: softhsmPath,
      NIEM_LANG: 'en',
    };
    // 300 MiB, not all zeros (a marker at the start and the end).
    const fd = openSync(at('big.bin'), 'w');
    ftruncateSync(fd, BIG);
    writeSync(fd, Buffer.from('NIEM-INTERRUPT-START'), 0, undefined, 0);
    writeSync(fd, Buffer.from('NIEM-INTERRUPT-END'), 0, undefined, BIG - 32);
    closeSync(fd);
    // A complete package to interrupt the open of.
    const r = spawnSync(process.execPath, [cli, ...sealArgs('full.p7m')], {
      cwd: dir,
      env: { ...env, NIEM_PIN: pins['VPCP-VANTHU'] },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => tmp.dispose());

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`seal: ${signal} removes PKG.p7m.partial and exits ${code}`, async () => {
      const out = `seal-${signal}.p7m`;
      const child = start(sealArgs(out), 'VPCP-VANTHU');
      const done = exited(child);
      await until(child, () => existsSync(at(`${out}.partial`)), 'the partial package');
      child.kill(signal);
      const r = await done;
      assert.equal(r.code, code);
      assert.equal(existsSync(at(`${out}.partial`)), false, 'partial left');
      assert.equal(existsSync(at(out)), false, 'package left');
    });

    it(`open: ${signal} removes DIR/.partial-* and every folder it created, and exits ${code}`, async () => {
      const top = `open-${signal}`;
      const out = join(top, 'năm 2026', 'số 12'); // three folders made by this open
      const child = start(openArgs('full.p7m', out), 'BTP-VANTHU');
      const done = exited(child);
      await until(
        child,
        () => partialDirs(out).some((p) => readdirSync(at(join(out, p))).includes('big.bin')),
        'the partial document',
      );
      child.kill(signal);
      const r = await done;
      assert.equal(r.code, code);
      assert.equal(existsSync(at(out)), false, 'output folder left');
      assert.equal(existsSync(at(top)), false, 'a parent folder the open created was left');
    });
  }

  it('seal: a SIGKILL leaves PKG.p7m.partial; the next seal into the same place removes it', async () => {
    const out = 'killed.p7m';
    const child = start(sealArgs(out), 'VPCP-VANTHU');
    const done = exited(child);
    await until(child, () => existsSync(at(`${out}.partial`)), 'the partial package');
    child.kill('SIGKILL');
    assert.equal((await done).signal, 'SIGKILL');
    assert.equal(existsSync(at(`${out}.partial`)), true, 'SIGKILL cannot be caught');
    const again = spawnSync(process.execPath, [cli, ...sealArgs(out)], {
      cwd: dir,
      env: { ...env, NIEM_PIN: pins['VPCP-VANTHU'] },
      encoding: 'utf8',
    });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(existsSync(at(out)), true);
    assert.equal(existsSync(at(`${out}.partial`)), false);
  });

  it('open: a SIGKILL leaves DIR/.partial-*; the next open into DIR removes it', async () => {
    const out = 'open-killed';
    const child = start(openArgs('full.p7m', out), 'BTP-VANTHU');
    const done = exited(child);
    await until(child, () => partialDirs(out).length > 0, 'the partial folder');
    child.kill('SIGKILL');
    assert.equal((await done).signal, 'SIGKILL');
    assert.equal(partialDirs(out).length, 1, 'SIGKILL cannot be caught');
    const again = spawnSync(process.execPath, [cli, ...openArgs('full.p7m', out)], {
      cwd: dir,
      env: { ...env, NIEM_PIN: pins['BTP-VANTHU'] },
      encoding: 'utf8',
    });
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(partialDirs(out), []);
    assert.deepEqual(readdirSync(at(out)).sort(), ['big.bin', 'manifest.json']);
  });
});
