/**
 * Two clerks for the exchange tests, each a profile driven only through the `niem` CLI
 * with a demo SoftHSM2 token: VPCP-VANTHU (RSA-3072, 000.00.00.G22) and BTP-VANTHU (EC
 * P-384, 000.00.00.G99). Commands run as child processes, as a clerk would type them.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DemoManifestSchema, repoRoot, type DemoManifest } from '../../../scripts/demo-manifest.ts';
import { cli } from './platform-process.ts';

export const VPCP = '000.00.00.G22';
export const BTP = '000.00.00.G99';

/** The repository's demo (made by `node scripts/demo-pki.ts`, as test:exchange does first). */
export function repoDemo(): DemoManifest {
  return DemoManifestSchema.parse(
    JSON.parse(readFileSync(join(repoRoot, '.demo', 'demo.json'), 'utf8')),
  );
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** A clerk: a token label, its PIN and a profile folder. */
export interface Clerk {
  readonly label: string;
  readonly profile: string;
  /** Runs `niem ARGS --profile P --token L` to completion (English messages). */
  run(...args: string[]): Run;
  /** Same, asserting exit 0. */
  ok(...args: string[]): Run;
  /** Same, parsing stdout as JSON (adds --json), asserting exit 0. */
  json<T>(...args: string[]): T;
  /** Starts the command without waiting (to kill it mid-way). */
  start(...args: string[]): ChildProcess;
  /**
   * Runs the command in a child without blocking this process's event loop (needed when
   * the command talks to something this process serves, such as the cut proxy).
   */
  runAsync(...args: string[]): Promise<Run>;
  okAsync(...args: string[]): Promise<Run>;
}

/** The outcome of a started command. */
export function finished(child: ChildProcess): Promise<Run> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/** A clerk on the demo token `label` with its profile in `profile`, commands run in `cwd`. */
export function clerk(demo: DemoManifest, label: string, profile: string, cwd: string): Clerk {
  const token = demo.tokens.find((t) => t.label === label);
  if (token === undefined) throw new Error(`no demo token ${label}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SOFTHSM2_CONF: demo.softhsm2Conf,
    NIEM_PKCS11_MODULE: demo.module,
    NIEM_LANG: 'en',
    NIEM_PIN: token.pin,
  };
  const argv = (args: string[]) => [cli, ...args, '--profile', profile, '--token', label];
  const run = (...args: string[]): Run => {
    const r = spawnSync(process.execPath, argv(args), { cwd, env, encoding: 'utf8' });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (...args: string[]): Run => {
    const r = run(...args);
    assert.equal(r.status, 0, `niem ${args.join(' ')} (${label})\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const start = (...args: string[]) =>
    spawn(process.execPath, argv(args), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const runAsync = (...args: string[]) => finished(start(...args));
  return {
    label,
    profile,
    run,
    ok,
    json: <T>(...args: string[]) => JSON.parse(ok(...args, '--json').stdout) as T,
    start,
    runAsync,
    async okAsync(...args: string[]) {
      const r = await runAsync(...args);
      assert.equal(r.status, 0, `niem ${args.join(' ')} (${label})\n${r.stdout}\n${r.stderr}`);
      return r;
    },
  };
}

/** An outbox row as `niem outbox list --json` prints it (the fields the tests read). */
export interface OutboxRow {
  id: number;
  transportState: string;
  bytesDone: number;
  size: number;
  receipt: boolean;
  packageSha256: string;
  notices: { status: string; from: string }[];
  error: { kind: string; detail?: { code?: string } } | null;
  action: string | null;
}

/** The outbox rows of a clerk. */
export function outbox(c: Clerk): OutboxRow[] {
  const out = c.json<{ outbox: OutboxRow[] } | OutboxRow[]>('outbox', 'list');
  return Array.isArray(out) ? out : out.outbox;
}

/** An inbox row as `niem inbox list --json` prints it (the fields the tests read). */
export interface InboxRow {
  id: number;
  status: string | null;
  packageSha256: string;
  register: { year: number; number: number } | null;
  senderOrganId: string | null;
}

export function inbox(c: Clerk): InboxRow[] {
  const out = c.json<{ inbox: InboxRow[] }>('inbox', 'list');
  return out.inbox;
}
