import {
  channels,
  eventNames,
  webProtocol,
  type ApiClient,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type EventName,
  type EventPayload,
  type LoupeBridge,
} from '../../../shared/api/contract';
import type { LoupeErrorShape, Result } from '../../../shared/errors';

/**
 * The only place the renderer talks to the engine. Desktop: `window.loupe` (preload bridge,
 * IPC). Web mode: `POST /api/<channel>` with the per-launch bearer token and a WebSocket for
 * job events. Either way callers get the value, or an `ApiError` carrying the engine's code,
 * message and hint.
 */
declare global {
  interface Window {
    loupe?: LoupeBridge;
  }
}

export class ApiError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: unknown;
  readonly channel: string;

  constructor(
    channel: string,
    shape: LoupeErrorShape | { code: string; message: string; hint?: string; details?: unknown },
  ) {
    super(shape.message);
    this.name = 'ApiError';
    this.code = shape.code;
    this.hint = shape.hint;
    this.details = shape.details;
    this.channel = channel;
  }
}

/** What the UI shows for any error: code, message, and the way out when there is one. */
export interface ErrorInfo {
  code: string;
  message: string;
  hint?: string | undefined;
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof ApiError) return { code: error.code, message: error.message, hint: error.hint };
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message };
  return { code: 'INTERNAL', message: String(error) };
}

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

export interface EngineConnection {
  shell: 'desktop' | 'web';
  api: ApiClient;
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
  /** Stops the event socket (web mode); the desktop bridge needs nothing. */
  close(): void;
}

function unwrap<C extends Channel>(channel: C, envelope: Result<ChannelOutput<C>>): ChannelOutput<C> {
  if (envelope.ok) return envelope.value;
  throw new ApiError(channel, envelope.error);
}

function buildClient(
  call: <C extends Channel>(channel: C, input: ChannelInput<C>) => Promise<ChannelOutput<C>>,
): ApiClient {
  const client: Partial<Record<Channel, (input: never) => Promise<unknown>>> = {};
  for (const channel of channels) client[channel] = (input: never) => call(channel, input);
  return client as ApiClient;
}

export function desktopConnection(bridge: LoupeBridge): EngineConnection {
  const api = buildClient(async (channel, input) => {
    const invoke = bridge.api[channel] as (input: unknown) => Promise<Result<ChannelOutput<typeof channel>>>;
    return unwrap(channel, await invoke(input));
  });
  return { shell: 'desktop', api, on: (event, listener) => bridge.on(event, listener), close: () => undefined };
}

const TOKEN_KEY = 'loupe.token';

/**
 * The token arrives once in the page URL (`?token=`). Keep it for this tab only and take it out
 * of the address bar, so it is not bookmarked, shared in a screenshot, or sent as a referrer.
 */
export function takeToken(loc: Location, storage: Storage, history: History): string | null {
  const url = new URL(loc.href);
  const fromUrl = url.searchParams.get(webProtocol.tokenParam);
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete(webProtocol.tokenParam);
    history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY);
}

export interface WebOptions {
  origin: string;
  token: string | null;
  fetchImpl?: typeof fetch;
  WebSocketImpl?: typeof WebSocket;
}

export function webConnection(options: WebOptions): EngineConnection {
  const fetchImpl = options.fetchImpl ?? fetch.bind(globalThis);
  const api = buildClient(async (channel, input) => {
    if (!options.token) {
      throw new ApiError(channel, {
        code: 'FORBIDDEN',
        message: 'This page was opened without its access token.',
        hint: 'Open the address printed by `npm run serve` (it ends in ?token=...).',
      });
    }
    let response: Response;
    try {
      response = await fetchImpl(`${options.origin}${webProtocol.apiPath(channel)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${options.token}` },
        body: JSON.stringify(input ?? {}),
      });
    } catch (error) {
      throw new ApiError(channel, {
        code: 'INTERNAL',
        message: `Loupe's engine did not answer (${error instanceof Error ? error.message : String(error)}).`,
        hint: 'Is `npm run serve` still running? Restart it and open the new address.',
      });
    }
    if (response.status === 401) {
      throw new ApiError(channel, {
        code: 'FORBIDDEN',
        message: 'The engine refused this page’s access token.',
        hint: 'The token changes on every launch: open the address the running `npm run serve` printed.',
      });
    }
    let envelope: Result<ChannelOutput<typeof channel>>;
    try {
      envelope = (await response.json()) as Result<ChannelOutput<typeof channel>>;
    } catch {
      throw new ApiError(channel, {
        code: 'INTERNAL',
        message: `The engine answered ${channel} with HTTP ${response.status} and no result.`,
      });
    }
    return unwrap(channel, envelope);
  });

  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  for (const name of eventNames) listeners.set(name, new Set());
  let socket: WebSocket | null = null;
  let closed = false;
  let retry = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const WS = options.WebSocketImpl ?? (typeof WebSocket === 'undefined' ? undefined : WebSocket);

  const open = () => {
    if (closed || !WS || !options.token) return;
    const wsOrigin = options.origin.replace(/^http/, 'ws');
    socket = new WS(
      `${wsOrigin}${webProtocol.eventsPath}?${webProtocol.tokenParam}=${encodeURIComponent(options.token)}`,
    );
    socket.onopen = () => {
      retry = 0;
    };
    socket.onmessage = (message: MessageEvent) => {
      let parsed: { event?: unknown; payload?: unknown };
      try {
        parsed = JSON.parse(String(message.data)) as { event?: unknown; payload?: unknown };
      } catch {
        return;
      }
      const set = listeners.get(parsed.event as EventName);
      if (set) for (const l of set) l(parsed.payload);
    };
    // The engine may restart or the laptop sleep: reconnect with a growing delay.
    socket.onclose = () => {
      socket = null;
      if (closed) return;
      retry = Math.min(retry + 1, 6);
      timer = setTimeout(open, 250 * 2 ** retry);
    };
  };
  open();

  return {
    shell: 'web',
    api,
    on: (event, listener) => {
      const set = listeners.get(event)!;
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}

/** Picks the shell this page runs in. */
export function connect(win: Window = window): EngineConnection {
  if (win.loupe) return desktopConnection(win.loupe);
  const token = takeToken(win.location, win.sessionStorage, win.history);
  return webConnection({ origin: win.location.origin, token });
}
