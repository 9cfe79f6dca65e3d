/**
 * The native process's handlers: one per contract method (see host/rpc-dispatcher.ts).
 */
import type { methods } from '../api/contract.ts';
import type { RpcHandlers } from '../host/rpc-dispatcher.ts';

export type Handlers = RpcHandlers<typeof methods>;
