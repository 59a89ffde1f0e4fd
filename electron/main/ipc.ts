import { channels, type ApiHandlers, type Channel, type ParsedInput } from '../../shared/api/contract';
import type { Result } from '../../shared/errors';
import { invokeHandler } from '../engine/api';

/**
 * The only place that registers IPC handlers (an architecture test enforces it). Every
 * registration goes through `register`: the sender must be our window's top frame showing our
 * page, the input is parsed from unknown with the channel's schema, and the caller gets the
 * envelope, never a thrown error. Typed structurally so tests can drive it without Electron.
 */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

export interface InvokeEventLike {
  readonly sender: unknown;
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface WindowLike {
  readonly webContents: { readonly mainFrame: FrameLike; isDestroyed?(): boolean };
}

export type SenderCheck = (event: InvokeEventLike) => boolean;

/**
 * Trusts only the top frame of `getWindow()`'s web contents, and only while it shows our page
 * (same scheme, host and path as `pageUrl`; query and fragment may differ). An iframe, another
 * window, or our window after navigating elsewhere is refused.
 */
export function createSenderCheck(getWindow: () => WindowLike | null, pageUrl: string): SenderCheck {
  return (event) => {
    const win = getWindow();
    const frame = event.senderFrame;
    if (!win || !frame || win.webContents.isDestroyed?.()) return false;
    return (
      event.sender === win.webContents &&
      frame.parent === null &&
      frame === win.webContents.mainFrame &&
      sameDocument(frame.url, pageUrl)
    );
  };
}

export function sameDocument(url: string, expected: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(expected);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

export interface IpcRegistry {
  /** Registers one channel; the disposer removes it. */
  register<C extends Channel>(channel: C, handler: (input: ParsedInput<C>) => Promise<unknown>): () => void;
  /** Registers every channel of the contract from `handlers`; the disposer removes them all. */
  registerAll(handlers: ApiHandlers): () => void;
}

export function createIpcRegistry(ipc: IpcMainLike, isTrustedSender: SenderCheck): IpcRegistry {
  const register = <C extends Channel>(channel: C, handler: (input: ParsedInput<C>) => Promise<unknown>) => {
    ipc.handle(channel, async (event, ...args): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        return {
          ok: false,
          error: { code: 'FORBIDDEN', message: `${channel}: the request did not come from Loupe's own window.` },
        };
      }
      return invokeHandler(channel, handler, args[0]);
    });
    let disposed = false;
    return () => {
      if (disposed) return;
      disposed = true;
      ipc.removeHandler(channel);
    };
  };
  return {
    register,
    registerAll: (handlers) => {
      const disposers = channels.map((channel) =>
        register(channel, handlers[channel] as unknown as (input: ParsedInput<typeof channel>) => Promise<unknown>),
      );
      return () => {
        for (const dispose of disposers) dispose();
      };
    },
  };
}
