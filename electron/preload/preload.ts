/**
 * The sandboxed preload: exposes `window.niem` (named functions from the contract) and
 * nothing else. Bundled by scripts/build-electron.ts into one CJS file, because a
 * sandboxed preload can require only 'electron'. Never exposes ipcRenderer, a generic
 * invoke or send, or an IPC event object.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { eventChannel, methodChannel } from '../ipc-channels.ts';
import { buildBridge } from './bridge-builder.ts';

const niem = buildBridge({
  host: 'electron',
  invoke: (method, params) => ipcRenderer.invoke(methodChannel(method), params),
  subscribe: (event, callback) => {
    const channel = eventChannel(event);
    const handler = (_event: IpcRendererEvent, payload: unknown): void => callback(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
});

contextBridge.exposeInMainWorld('niem', niem);
