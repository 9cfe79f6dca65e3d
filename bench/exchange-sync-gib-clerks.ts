/**
 * The clerks and the platform of bench/exchange-sync-gib.ts: the demo tokens' clerks A
 * (VPCP-VANTHU) and B (BTP-VANTHU) with their profiles and the env of their CLI calls
 * (demo SoftHSM2, PIN in NIEM_PIN, English), the platform's data folder made as an
 * operator does, and the clerk commands whose `--json` answers the bench checks.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readDemoManifest } from '../scripts/demo-manifest.ts';
import {
  expect,
  niemCli,
  parseJson,
  repoRoot,
  type CliRunner,
  type InboxRow,
  type OutboxRow,
  type SyncAnswer,
} from './exchange-sync-gib-steps.ts';

/** A clerk: token label, organ id and the env (PIN included) of its CLI calls. */
export interface Clerk {
  label: string;
  organId: string;
  profileArgs: string[];
  env: NodeJS.ProcessEnv;
}

/** Clerks A and B of the demo with profiles in `work`, the demo CA chain and PKI folder. */
export function demoClerks(work: string): { a: Clerk; b: Clerk; caChain: string; pkiDir: string } {
  const demo = readDemoManifest();
  const clerkOf = (label: string, profile: string): Clerk => {
    const token = demo.tokens.find((t) => t.label === label);
    if (token === undefined) throw new Error(`bench: no demo token ${label}`);
    const env = {
      ...process.env,
      SOFTHSM2_CONF: demo.softhsm2Conf,
      NIEM_PKCS11_MODULE: demo.module,
      NIEM_LANG: 'en',
      NIEM_PIN: token.pin,
    };
    return {
      label,
      organId: token.organId,
      profileArgs: ['--profile', profile, '--token', label],
      env,
    };
  };
  const pkiDir = join(demo.dir, 'pki');
  return {
    a: clerkOf('VPCP-VANTHU', join(work, 'a')),
    b: clerkOf('BTP-VANTHU', join(work, 'b')),
    caChain: join(pkiDir, 'ca-chain.pem'),
    pkiDir,
  };
}

/** `niem platform init` and `admin directory import` on `dataDir`, as the operator's recipe. */
export function initPlatform(dataDir: string, pkiDir: string): void {
  const p = (name: string): string => join(pkiDir, name);
  const platform = (args: string[]): void => {
    execFileSync(process.execPath, [niemCli, 'platform', ...args], {
      cwd: repoRoot,
      env: { ...process.env, NIEM_LANG: 'en' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  };
  // prettier-ignore
  platform(['init', '--data', dataDir, '--trust', p('ca-chain.pem'), '--tls-cert', p('platform-tls.crt.pem'),
    '--tls-key', p('platform-tls.key.pem'), '--receipt-cert', p('platform-receipt.crt.pem'),
    '--receipt-key', p('platform-receipt.key.pem')]);
  platform(['admin', '--data', dataDir, 'directory', 'import', p('directory.json')]);
}

/** `niem sync --json` of `c` (with `extra`), timed; checks that it succeeded. */
export async function sync(cli: CliRunner, name: string, c: Clerk, extra: string[] = []) {
  const run = await cli.run(name, [...c.profileArgs, 'sync', ...extra, '--json'], c.env);
  const answer = parseJson<SyncAnswer>(run, `${c.label} sync`);
  const r = answer.report;
  expect(answer.ok && r.error === null && !r.aborted, `${name}: the sync succeeded`, answer);
  expect(r.failures.length === 0 && r.inboxFailures.length === 0, `${name}: no failure`, answer);
  return { figures: run.figures, report: r };
}

/** `niem outbox list --json` of `c`. */
export async function listOutbox(cli: CliRunner, c: Clerk): Promise<OutboxRow[]> {
  const run = await cli.run('outbox-list', [...c.profileArgs, 'outbox', 'list', '--json'], c.env);
  return parseJson<{ outbox: OutboxRow[] }>(run, 'outbox list').outbox;
}

/** `niem inbox list --json` of `c`. */
export async function listInbox(cli: CliRunner, c: Clerk): Promise<InboxRow[]> {
  const run = await cli.run('inbox-list', [...c.profileArgs, 'inbox', 'list', '--json'], c.env);
  return parseJson<{ inbox: InboxRow[] }>(run, 'inbox list').inbox;
}
