import { contextBridge, ipcRenderer } from 'electron';
import { channels, eventNames, type LoupeBridge } from '../../shared/api/contract';

/**
 * window.loupe, derived from the contract: one invoke per channel (resolving to the envelope)
 * and `on` for the engine's events. No other logic lives here.
 */
const api = Object.fromEntries(
  channels.map((channel) => [channel, (input: unknown) => ipcRenderer.invoke(channel, input)]),
) as LoupeBridge['api'];

const on: LoupeBridge['on'] = (event, listener) => {
  if (!eventNames.includes(event)) throw new Error(`Unknown Loupe event ${String(event)}.`);
  const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload as never);
  ipcRenderer.on(event, wrapped);
  return () => {
    ipcRenderer.removeListener(event, wrapped);
  };
};

const bridge: LoupeBridge = { api, on };
contextBridge.exposeInMainWorld('loupe', bridge);
