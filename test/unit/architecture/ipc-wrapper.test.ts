import { describe, expect, it } from 'vitest';
import { channels, type ApiHandlers, type Channel } from '../../../shared/api/contract';
import { LoupeError, type Result } from '../../../shared/errors';
import {
  createIpcRegistry,
  createSenderCheck,
  type FrameLike,
  type InvokeEventLike,
  type IpcMainLike,
  type WindowLike,
} from '../../../electron/main/ipc';

/**
 * The IPC wrapper, driven through an ipcMain look-alike (Electron itself cannot run here):
 * every channel refuses forged senders and malformed input before its handler runs.
 */
class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void {
    // Electron refuses a second handler for a channel; so does the fake.
    if (this.listeners.has(channel)) throw new Error(`second handler for ${channel}`);
    this.listeners.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.listeners.delete(channel);
  }
  async invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<Result<unknown>> {
    const listener = this.listeners.get(channel);
    if (!listener) throw new Error(`No handler registered for '${channel}'`);
    return (await listener(event, ...args)) as Result<unknown>;
  }
}

const PAGE = 'loupe://app/index.html';

function makeWindow(url = PAGE): WindowLike & { webContents: { mainFrame: FrameLike } } {
  const mainFrame: FrameLike = { url, parent: null };
  return { webContents: { mainFrame } };
}

/** One valid input per channel; typed by Channel so a new channel must add its example. */
const VALID: Record<Channel, unknown> = {
  'timeline:histogram': {},
  'timeline:events': { limit: 10 },
  'findings:groups': { by: 'type' },
  'graph:neighborhood': {},
  'hunt:query': { sql: 'SELECT 1', queryId: 'q1' },
  'hunt:cancel': { queryId: 'q1' },
  'hunt:schema': {},
  'hunt:pivot': { entity: { kind: 'ip', value: '198.51.100.7' } },
  'accounts:overview': {},
  'app:info': {},
  'case:open': { paths: ['/evidence/logs'] },
  'case:summary': {},
  'files:list': { status: 'failed' },
  'findings:list': { sort: { by: 'count', dir: 'asc' } },
  'findings:counts': {},
  'findings:get': { id: 'f-1' },
  'findings:evidence': { id: 'f-1', limit: 5 },
  'detect:run': {},
  'jobs:list': {},
  'jobs:get': { jobId: 'j-1' },
  'jobs:cancel': { jobId: 'j-1' },
  'case:create': { dir: '/cases/acme', name: 'Acme breach' },
  'case:openWorkspace': { dir: '/cases/acme.loupe' },
  'case:info': {},
  'case:save': {},
  'case:saveAs': { dir: '/cases/acme-copy' },
  'case:close': {},
  'case:recent': {},
  'case:state': {},
  'case:updateState': { findings: { 'f-1': { status: 'investigating', comment: { text: 'looking' } } } },
  'custody:list': { limit: 10 },
  'custody:verify': {},
  'findings:archive': { ids: ['f-1'] },
  'findings:unarchive': { ids: ['f-1'] },
  'findings:playbook': { id: 'f-1' },
  'suppression:list': {},
  'suppression:save': {
    rule: { name: 'bastion', criterion: { type: { Eq: ['UnauthorizedAccess:EC2/SSHBruteForce'] } } },
  },
  'suppression:delete': { id: 's-1' },
  'intel:lists': {},
  'intel:import': { path: '/tmp/threats.txt', kind: 'threat' },
  'intel:update': { id: 'threat:threats.txt', enabled: false },
  'intel:remove': { id: 'threat:threats.txt' },
  'intel:feeds': {},
  'intel:fetchFeeds': {},
  'export:run': { format: 'csv', outPath: '/tmp/findings.csv' },
  'accounts:list': {},
};

const MALFORMED: unknown[] = ['a string', 42, null, [], undefined];

function setup() {
  const ipc = new FakeIpcMain();
  const win = makeWindow();
  let current: WindowLike | null = win;
  const calls: Array<{ channel: Channel; input: unknown }> = [];
  const handlers = Object.fromEntries(
    channels.map((channel) => [
      channel,
      async (input: unknown) => {
        calls.push({ channel, input });
        if ((input as { id?: string } | undefined)?.id === 'explode') {
          throw new LoupeError('NOT_FOUND', 'No finding with id explode.', { hint: 'Refresh.' });
        }
        return { echoed: channel };
      },
    ]),
  ) as unknown as ApiHandlers;
  const registry = createIpcRegistry(
    ipc,
    createSenderCheck(() => current, PAGE),
  );
  const dispose = registry.registerAll(handlers);
  const trusted: InvokeEventLike = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  return {
    ipc,
    win,
    calls,
    dispose,
    registry,
    trusted,
    closeWindow: () => {
      current = null;
    },
  };
}

describe('IPC wrapper', () => {
  it('has an example for exactly the contract channels', () => {
    expect(Object.keys(VALID).sort()).toEqual([...channels].sort());
  });

  it('registers every channel of the contract and nothing else', () => {
    const { ipc } = setup();
    expect([...ipc.listeners.keys()].sort()).toEqual([...channels].sort());
  });

  it.each(channels)('%s: accepts our window with valid input and returns the envelope', async (channel) => {
    const { ipc, calls, trusted } = setup();
    const result = await ipc.invoke(channel, trusted, VALID[channel]);
    expect(result).toEqual({ ok: true, value: { echoed: channel } });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.channel).toBe(channel);
  });

  it.each(channels)('%s: refuses forged senders without running the handler', async (channel) => {
    const { ipc, win, calls, closeWindow } = setup();
    const other = makeWindow();
    const navigated = makeWindow('https://evil.example/index.html');
    const forged: Array<[string, InvokeEventLike]> = [
      ['another window', { sender: other.webContents, senderFrame: other.webContents.mainFrame }],
      [
        'an iframe in our window',
        { sender: win.webContents, senderFrame: { url: PAGE, parent: win.webContents.mainFrame } },
      ],
      ['a look-alike top frame', { sender: win.webContents, senderFrame: { url: PAGE, parent: null } }],
      ['our contents with a foreign frame', { sender: win.webContents, senderFrame: other.webContents.mainFrame }],
      ['a page on another origin', { sender: navigated.webContents, senderFrame: navigated.webContents.mainFrame }],
      ['no frame at all', { sender: win.webContents, senderFrame: null }],
    ];
    for (const [label, event] of forged) {
      const result = await ipc.invoke(channel, event, VALID[channel]);
      expect(result.ok, label).toBe(false);
      if (!result.ok) expect(result.error.code, label).toBe('FORBIDDEN');
    }
    closeWindow();
    const afterClose = await ipc.invoke(
      channel,
      { sender: win.webContents, senderFrame: win.webContents.mainFrame },
      VALID[channel],
    );
    expect(afterClose.ok).toBe(false);
    expect(calls).toEqual([]);
  });

  it.each(channels)('%s: refuses malformed input with INVALID_INPUT without running the handler', async (channel) => {
    const { ipc, calls, trusted } = setup();
    for (const input of MALFORMED) {
      const result = await ipc.invoke(channel, trusted, input);
      expect(result.ok, JSON.stringify(input)).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('INVALID_INPUT');
        expect(result.error.message).toContain(channel);
      }
    }
    expect(calls).toEqual([]);
  });

  it('rejects field-level mistakes, and passes parsed input (with defaults) to the handler', async () => {
    const { ipc, calls, trusted } = setup();
    const bad = await ipc.invoke('findings:list', trusted, { limit: 5000, sort: { by: 'password', dir: 'asc' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const badOpen = await ipc.invoke('case:open', trusted, { paths: [] });
    expect(badOpen).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    // The new channels check their fields too: S3 URIs, export formats, filter operators, case edits.
    const fieldMistakes: Array<[Channel, unknown]> = [
      ['case:open', { s3: [{ uri: 'https://bucket/prefix' }] }],
      ['case:open', { s3: [{ uri: 's3://b/p', endpoint: 'file:///etc' }] }],
      ['case:open', { paths: ['x'], mode: 'replace' }],
      ['export:run', { format: 'xml', outPath: '/tmp/x' }],
      ['suppression:save', { rule: { name: 'x', criterion: { type: { like: ['*'] } } } }],
      ['suppression:save', { rule: { name: 'x', criterion: {} } }],
      ['case:updateState', { findings: { 'f-1': { status: 'closed' } } }],
      ['case:updateState', { formatVersion: 9 }],
      ['case:updateState', { notifications: [{ id: 'n', name: 'n', action: { kind: 'webhook', url: 'ftp://x' } }] }],
      ['findings:archive', { ids: [] }],
      ['case:create', { dir: '', name: 'x' }],
    ];
    for (const [channel, input] of fieldMistakes) {
      const result = await ipc.invoke(channel, trusted, input);
      expect(result, `${channel} ${JSON.stringify(input)}`).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    }
    expect(calls).toEqual([]);

    await ipc.invoke('findings:list', trusted, {});
    expect(calls[0]?.input).toEqual({
      offset: 0,
      limit: 100,
      filter: {},
      sort: { by: 'severity', dir: 'desc' },
    });
  });

  it('turns a thrown LoupeError into the error envelope', async () => {
    const { ipc, trusted } = setup();
    expect(await ipc.invoke('findings:get', trusted, { id: 'explode' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No finding with id explode.', hint: 'Refresh.' },
    });
  });

  it('accepts our page with a different query or fragment, not a different path', async () => {
    const win = makeWindow('loupe://app/index.html?case=1#/findings');
    const check = createSenderCheck(() => win, PAGE);
    expect(check({ sender: win.webContents, senderFrame: win.webContents.mainFrame })).toBe(true);
    const other = makeWindow('loupe://app/other.html');
    const checkOther = createSenderCheck(() => other, PAGE);
    expect(checkOther({ sender: other.webContents, senderFrame: other.webContents.mainFrame })).toBe(false);
  });

  it('disposers remove the handlers, once', async () => {
    const { ipc, dispose, registry, trusted } = setup();
    dispose();
    expect(ipc.listeners.size).toBe(0);
    await expect(ipc.invoke('app:info', trusted, {})).rejects.toThrow(/No handler/);
    const off = registry.register('app:info', async () => ({ version: '1', shell: 'desktop', caseOpen: false }));
    expect(ipc.listeners.has('app:info')).toBe(true);
    off();
    off();
    expect(ipc.listeners.has('app:info')).toBe(false);
  });
});
