#!/usr/bin/env node
// Launcher of the `niem` CLI. Whatever Node started it (machines here ship Node 20), the
// CLI itself runs on the project's pinned Node 24, brought by scripts/node24.sh.
// Plain JavaScript on purpose: it must run on any Node that npx finds first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, 'main.ts');
const major = Number(process.versions.node.split('.')[0]);
// When Node 24 runs this file the CLI runs in this very process (a second process would
// outlive a SIGKILL sent to this one). Otherwise Node 24 is started with a 1 MiB young
// generation: sealing and opening stream 1 MiB chunks whose memory is freed only when
// their objects are collected, and frequent small scavenges keep the peak memory of a
// multi-GiB package lower (bench/README.md) at no cost in speed.
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning', '--max-semi-space-size=1'];

if (major === 24) {
  await import(entry);
} else {
  const node24 = join(here, '..', '.tools', 'node24', 'bin', 'node');
  if (!existsSync(node24)) {
    const setup = spawnSync('bash', [join(here, '..', 'scripts', 'node24.sh')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (setup.status !== 0) {
      process.stderr.write(
        'Không chuẩn bị được Node 24 cho Niêm (scripts/node24.sh).\n' +
          'Could not set up Node 24 for Niêm (scripts/node24.sh).\n',
      );
      process.exit(1);
    }
  }
  const child = spawn(node24, [...NODE_FLAGS, entry, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
