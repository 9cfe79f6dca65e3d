/**
 * The demo's exchange platform: `niem platform init` on DEMO/platform with the demo PKI's
 * TLS and receipt certificates (approved up to Tuyệt mật, the demo directory imported on
 * every start, so a rebuilt demo PKI is picked up), then `niem platform serve` on
 * 127.0.0.1 in a child process. DEMO ONLY: the keys come from the demo PKI.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './demo-manifest.ts';

const cli = join(repoRoot, 'cli', 'niem.js');

/** A running demo platform. */
export interface DemoPlatform {
  /** `https://127.0.0.1:PORT`. */
  url: string;
  /** The CA chain (PEM file) clients trust for it. */
  caChain: string;
  stop(): Promise<void>;
}

function platformCli(args: string[]): void {
  execFileSync(process.execPath, [cli, 'platform', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Initialises (idempotently) and starts the platform of the demo in `demoDir`. */
export async function startDemoPlatform(demoDir: string, port: number): Promise<DemoPlatform> {
  const pki = join(demoDir, 'pki');
  const data = join(demoDir, 'platform');
  const caChain = join(pki, 'ca-chain.pem');
  // prettier-ignore
  platformCli([
    'init', '--data', data, '--trust', caChain,
    '--tls-cert', join(pki, 'platform-tls.crt.pem'), '--tls-key', join(pki, 'platform-tls.key.pem'),
    '--receipt-cert', join(pki, 'platform-receipt.crt.pem'),
    '--receipt-key', join(pki, 'platform-receipt.key.pem'),
    '--name', 'truc-lien-thong.demo', '--approved-level', 'tuyet-mat',
  ]);
  platformCli(['admin', '--data', data, 'directory', 'import', join(pki, 'directory.json')]);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cli,
      'platform',
      'serve',
      '--data',
      data,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    if (child.stdout === null) throw new Error('platform: no stdout');
    createInterface({ input: child.stdout }).once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`platform: ${line}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`the platform exited (${code})`)));
  });
  return {
    url,
    caChain,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
