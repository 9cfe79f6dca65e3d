#!/usr/bin/env node
// Launcher of the `niem` CLI. Whatever Node started it (machines here ship Node 20), the
// CLI itself runs on the project's pinned Node 24, brought by scripts/node24.sh, with the
// Node flags below. Plain JavaScript on purpose: it must run on any Node that npx finds.
//
// The flags: a 1 MiB young generation. Sealing, opening and syncing stream pieces whose
// memory is freed only when their objects are collected; frequent small scavenges keep the
// peak memory of a multi-GiB package within its bound (bench/README.md) at no cost in
// speed. V8 takes them only at start, so unless this process already has them the CLI
// runs in a child Node 24 started with them. That child is tied to this process: when it
// ends, even by SIGKILL, the channel between them closes and the child kills itself at
// once, so nothing (an upload, a token session) outlives the command a user stopped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, 'main.ts');
const major = Number(process.versions.node.split('.')[0]);
const args = process.argv.slice(2);

/**
 * `niem platform …` (the server): its first word, skipping `--lang X` and other options.
 * The same test as platform/cli/platform-command.ts, written again here because this file
 * must run on Node 20, which cannot load TypeScript.
 */
function isPlatformCommand() {
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '--lang') i += 1;
    else if (!args[i].startsWith('-')) return args[i] === 'platform';
  }
  return false;
}

// The memory flags (native/host/node-flags.ts gives the native process the same). The
// platform server is not a streaming client: it keeps V8's default young generation,
// which serves many connections at once with fewer collections.
const MEMORY_FLAGS = isPlatformCommand() ? [] : ['--max-semi-space-size=1'];
const needsChild = MEMORY_FLAGS.some((flag) => !process.execArgv.includes(flag));

if (major === 24 && !needsChild) {
  if (process.channel !== undefined) {
    // Started by a launcher (below): its end is ours. The channel must not keep us alive.
    process.channel.unref();
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  }
  // Node keeps the TypeScript sources it has stripped (and V8's code for them) in a cache
  // keyed by their content: later runs skip the TypeScript loader (≈25 MiB less memory,
  // half the start-up time). The cache sits beside Node 24 in the project's .tools/.
  module.enableCompileCache?.(join(here, '..', '.tools', 'compile-cache'));
  await import(entry);
} else {
  let node24 = process.execPath;
  if (major !== 24) {
    node24 = join(here, '..', '.tools', 'node24', 'bin', 'node');
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
  }
  const flags = ['--disable-warning=ExperimentalWarning', ...MEMORY_FLAGS];
  const child = spawn(node24, [...flags, fileURLToPath(import.meta.url), ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  // The channel is only the child's lifeline: it must not keep this process alive either.
  child.channel?.unref();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) {
      // End the way the child did (a shell sees the same signal), not through our handler.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}
