/**
 * Supervises the native process from a host (Electron main, the test bridge, the CLI):
 * the contract's methods and events over an RpcSupervisor. A crash or unexpected exit
 * fails pending calls with `native-restarted`, tells listeners with a `session.locked`
 * event of reason `native-restarted` (and `vault.changed` locked), and restarts the process with back-off.
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
      // The process that held the session and the open vault is gone, keys and all.
      onCrash: () => {
        this.emit('session.locked', { reason: 'native-restarted' });
        this.emit('vault.changed', {
          state: { state: 'locked', reason: 'native-restarted', problem: null },
        });
      },
    });
  }
}
