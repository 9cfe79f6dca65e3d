/**
 * The real platform as a separate process for the exchange tests: `niem platform init`
 * on a data folder with the demo PKI's TLS and receipt certificates, the directory
 * imported with the admin command, then `niem platform serve --json` in a child process
 * that a test can SIGKILL and start again on the same data folder and port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../../../scripts/demo-manifest.ts';

export const cli = join(repoRoot, 'cli/niem.js');

/** Runs `niem platform …` to completion; throws with its output on a non-zero exit. */
export function platformCli(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(process.execPath, [cli, 'platform', ...args, '--lang', 'en'], {
    encoding: 'utf8',
    env,
  });
  if (r.status !== 0) {
    throw new Error(`niem platform ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** Demo PKI files the platform needs (see scripts/demo-pki.ts). */
export interface PlatformPki {
  caChain: string;
  tlsCert: string;
  tlsKey: string;
  receiptCert: string;
  receiptKey: string;
  directory: string;
}

/** The demo PKI's platform files in `pkiDir` (.demo/pki or a test's own demo). */
export function demoPlatformPki(pkiDir: string): PlatformPki {
  return {
    caChain: join(pkiDir, 'ca-chain.pem'),
    tlsCert: join(pkiDir, 'platform-tls.crt.pem'),
    tlsKey: join(pkiDir, 'platform-tls.key.pem'),
    receiptCert: join(pkiDir, 'platform-receipt.crt.pem'),
    receiptKey: join(pkiDir, 'platform-receipt.key.pem'),
    directory: join(pkiDir, 'directory.json'),
  };
}

/** Makes a platform data folder ready to serve. */
export function initPlatform(
  dataDir: string,
  pki: PlatformPki,
  options: { database?: string; approvedLevel?: string; directory?: string } = {},
): void {
  const db = options.database ? ['--database', options.database] : [];
  platformCli([
    'init',
    '--data',
    dataDir,
    ...db,
    '--trust',
    pki.caChain,
    '--tls-cert',
    pki.tlsCert,
    '--tls-key',
    pki.tlsKey,
    '--receipt-cert',
    pki.receiptCert,
    '--receipt-key',
    pki.receiptKey,
    '--name',
    'truc-thu-nghiem',
    ...(options.approvedLevel ? ['--approved-level', options.approvedLevel] : []),
  ]);
  platformCli([
    'admin',
    '--data',
    dataDir,
    ...db,
    'directory',
    'import',
    options.directory ?? pki.directory,
  ]);
}

/** A running platform process. */
export interface PlatformProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGKILL, waiting for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (clean stop), waiting for the exit. */
  stop(): Promise<void>;
}

/** Starts `niem platform serve` on `dataDir`; resolves once it prints its URL. */
export async function servePlatform(
  dataDir: string,
  options: { port?: number; origins?: string[]; database?: string } = {},
): Promise<PlatformProcess> {
  const args = [
    cli,
    'platform',
    'serve',
    '--data',
    dataDir,
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--json',
    ...(options.database ? ['--database', options.database] : []),
    ...(options.origins ?? []).flatMap((o) => ['--origin', o]),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`platform printed ${line}\n${stderr}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`platform exited ${code}\n${stderr}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
