/**
 * Supervises the native process from a host (Electron main, the test bridge, the CLI):
 * the contract's methods and events over an RpcSupervisor. A crash or unexpected exit
 * fails pending calls with `native-restarted`, tells listeners with a `session.locked`
 * event of reason `native-restarted`, and restarts the process with back-off.
 */
import { events, methods } from '../api/contract.ts';
import { RpcSupervisor, type SupervisorOptions } from './rpc-supervisor.ts';

export type { NativeChild, NativeSpawner, SupervisorOptions } from './rpc-supervisor.ts';

export class NativeSupervisor extends RpcSupervisor<typeof methods, typeof events> {
  constructor(options: SupervisorOptions) {
    super({
      ...options,
      name: 'native process',
      methods,
      events,
      crashKind: 'native-restarted',
      onCrash: () => this.emit('session.locked', { reason: 'native-restarted' }),
    });
  }
}
