/**
 * The CLI's connection to the native process: the same supervisor and child process the
 * test bridge uses. `--module` reaches the native process as NIEM_PKCS11_MODULE.
 */
import { childSpawner } from '../native/host/child-spawner.ts';
import { NativeSupervisor } from '../native/host/supervisor.ts';

export async function connectNative(options: { module?: string }): Promise<NativeSupervisor> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NIEM_PIN; // the native process never needs it: the PIN travels in the call only
  if (options.module) env.NIEM_PKCS11_MODULE = options.module;
  const supervisor = new NativeSupervisor({
    spawn: childSpawner({
      env,
      onStderr: (line) => {
        if (process.env.NIEM_LOG === 'debug') process.stderr.write(`${line}\n`);
      },
    }),
  });
  await supervisor.start();
  return supervisor;
}
