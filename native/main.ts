/**
 * Entry of the native process: the contract's server. Started by Electron main as a
 * utilityProcess (messages over `process.parentPort`) or by plain Node as a child
 * process (messages over the IPC channel of `child_process.fork`). Token work runs one
 * level further down, in the token host, so a vendor PKCS#11 module can neither block
 * nor crash this process. This file only wires.
 */
import { methods } from './api/contract.ts';
import { childSpawner, tokenHostEntry } from './host/child-spawner.ts';
import { brokeredSpawner } from './host/brokered-spawner.ts';
import { connectToParent, electronParentPort, hasParent } from './host/parent-channel.ts';
import { installFatalHandlers, serveRpc } from './host/rpc-child.ts';
import { createDispatcher } from './host/rpc-dispatcher.ts';
import type { Handlers } from './service/dispatcher.ts';
import { SessionService } from './service/session-service.ts';
import { idleLockMs, loadSettings, profileDir } from './service/settings.ts';
import { VaultService } from './service/vault-service.ts';

const log = (line: string): void => {
  if (process.env.NIEM_LOG === 'debug') process.stderr.write(`[native ${process.pid}] ${line}\n`);
};

async function main(): Promise<void> {
  if (!hasParent()) {
    process.stderr.write(
      'native/main.ts runs only as a child of a Niêm host (Electron, bridge or CLI).\n',
    );
    process.exit(64);
  }
  installFatalHandlers('native');
  const channel = await connectToParent();
  const { settings } = loadSettings(process.env, (line) => process.stderr.write(`${line}\n`));
  const brokerPort = electronParentPort();
  const spawnTokenHost = brokerPort
    ? brokeredSpawner(brokerPort)
    : childSpawner({
        entry: tokenHostEntry,
        env: process.env,
        onStderr: (line) => process.stderr.write(`${line}\n`),
      });

  let emit: (name: string, payload: unknown) => void = () => {};
  const session = new SessionService({
    spawnTokenHost,
    emit: (name, payload) => emit(name, payload),
    idleLockMs: idleLockMs(settings),
    log,
  });
  const vault = new VaultService({
    profileDir: profileDir(settings),
    ...(settings.vaultRecoveryCertificate === undefined
      ? {}
      : { recoveryCertificate: settings.vaultRecoveryCertificate }),
    ...(settings.platform === undefined ? {} : { platform: settings.platform }),
    token: session.tokenOperations,
    signedInToken: () => session.signedInToken,
    emit: (name, payload) => emit(name, payload),
    log,
  });
  session.listen({ signedIn: () => vault.unlock(), ended: (reason) => vault.lock(reason) });
  const handlers: Handlers = { ...session.handlers, ...vault.handlers };
  const child = serveRpc({
    channel,
    dispatch: createDispatcher(methods, handlers, log),
    shutdown: async () => {
      await vault.shutdown();
      await session.shutdown();
    },
    name: 'native',
  });
  emit = child.emit;
  await session.start();
  child.ready();
}

void main();
