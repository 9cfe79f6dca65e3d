/**
 * A real exchange platform for the e2e tests, set up as an agency would with the CLI:
 * `niem platform init` with the demo PKI's TLS and receipt certificates, the directory
 * imported, then `niem platform serve` on 127.0.0.1 (HTTPS; port 0 picks a free one, or
 * the port it had, to come back after a stop). And clerk profiles made with the CLI:
 * `niem init`, `niem trust add` the CA chain, one `niem sync --platform URL` that
 * remembers the platform and caches its directory.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { BTP, VPCP, niem, niemSpawn, writeDirectory } from './clerks.ts';

/** Runs `niem ARGS` in `cwd` without a token; rejects with its stderr on failure. */
export function niemRun(manifest: DemoManifest, cwd: string, args: string[]): Promise<void> {
  const child = niemSpawn(manifest, cwd, args);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`niem ${args.join(' ')}: ${err}`)),
    );
  });
}

/** A platform data folder and, while it runs, its process. */
export class PlatformFixture {
  readonly data: string;
  url = '';
  #process: ReturnType<typeof niemSpawn> | undefined;
  readonly #manifest: DemoManifest;
  readonly #dir: string;

  constructor(manifest: DemoManifest, dir: string) {
    this.#manifest = manifest;
    this.#dir = dir;
    this.data = join(dir, 'platform');
  }

  /** Initialises the data folder with VPCP and BTP in its directory (both cleared for Tuyệt mật). */
  async init(extra: { approvedLevel?: string; chunkBytes?: number } = {}): Promise<void> {
    const m = this.#manifest;
    const run = (...args: string[]) => niemRun(m, this.#dir, args);
    await run(
      'platform',
      'init',
      '--data',
      this.data,
      '--trust',
      m.caChainPem,
      '--tls-cert',
      m.platform.tlsCertificatePem,
      '--tls-key',
      m.platform.tlsKeyPem,
      '--receipt-cert',
      m.platform.receiptCertificatePem,
      '--receipt-key',
      m.platform.receiptKeyPem,
      '--name',
      m.platform.name,
      ...(extra.approvedLevel === undefined ? [] : ['--approved-level', extra.approvedLevel]),
    );
    const file = join(this.#dir, 'platform-directory.json');
    writeDirectory(m, file, [
      { organId: VPCP, name: 'Văn phòng Chính phủ', clearance: 'tuyet-mat', token: 'VPCP-VANTHU' },
      { organId: BTP, name: 'Bộ Tư pháp', clearance: 'tuyet-mat', token: 'BTP-VANTHU' },
    ]);
    await run('platform', 'admin', '--data', this.data, 'directory', 'import', file);
    if (extra.chunkBytes !== undefined) {
      const bytes = String(extra.chunkBytes);
      await run('platform', 'admin', '--data', this.data, 'policy', 'set', '--chunk-bytes', bytes);
    }
  }

  /** Serves the platform (on the port it had before, once it had one); resolves with its URL. */
  async serve(): Promise<string> {
    const port = this.url === '' ? '0' : new URL(this.url).port;
    const child = niemSpawn(this.#manifest, this.#dir, [
      'platform',
      'serve',
      '--data',
      this.data,
      '--port',
      port,
      '--json',
    ]);
    this.#process = child;
    const errors: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString('utf8')));
    for await (const line of createInterface({ input: child.stdout })) {
      const url = (JSON.parse(line) as { url?: string }).url;
      if (url !== undefined) {
        this.url = url;
        return url;
      }
    }
    throw new Error(`the platform did not start: ${errors.join('')}`);
  }

  /** Stops the platform (SIGTERM: it closes cleanly) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  /** A clerk profile made with the CLI and synced once with this platform. */
  makeProfile(label: string, profile: string): void {
    const cli = (...args: string[]) => niem(this.#manifest, this.#dir, label, profile, ...args);
    cli('init');
    cli('trust', 'add', this.#manifest.caChainPem);
    cli('sync', '--platform', this.url);
  }
}
