/**
 * Entry of the token host: the only process that loads vendor PKCS#11 modules. Started
 * by the native process (a child process under Node; under Electron a utilityProcess
 * made by main and connected to the native process by a MessagePort). A module that
 * crashes takes only this process down; the native process restarts it.
 */
import { hasParent, connectToParent } from '../host/parent-channel.ts';
import { createDispatcher } from '../host/rpc-dispatcher.ts';
import { installFatalHandlers, serveRpc } from '../host/rpc-child.ts';
import { settingsPath } from '../service/settings.ts';
import { resolveModules } from '../token/module-config.ts';
import { TokenService } from '../token/token-service.ts';
import { TokenHostService } from './token-host-service.ts';
import { tokenMethods } from './token-protocol.ts';

const log = (line: string): void => {
  if (process.env.NIEM_LOG === 'debug')
    process.stderr.write(`[token-host ${process.pid}] ${line}\n`);
};

async function main(): Promise<void> {
  if (!hasParent()) {
    process.stderr.write('native/token-host/main.ts runs only as a child of the native process.\n');
    process.exit(64);
  }
  installFatalHandlers('token-host');
  const channel = await connectToParent({ viaPort: true });
  const { modules, source } = resolveModules({
    env: process.env,
    settingsFile: settingsPath(process.env),
  });
  log(`PKCS#11 modules from ${source}: ${modules.join(', ') || '(none)'}`);
  const tokens = await TokenService.open({ modules });
  for (const p of tokens.moduleProblems) log(`module ${p.path} unavailable: ${p.reason}`);

  let emit: (name: string, payload: unknown) => void = () => {};
  const service = new TokenHostService(tokens, (name, payload) => emit(name, payload));
  const child = serveRpc({
    channel,
    dispatch: createDispatcher(tokenMethods, service.handlers, log),
    shutdown: () => service.shutdown(),
    name: 'token-host',
  });
  emit = child.emit;
  service.startWatching();
  child.ready();
}

void main();
