import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserWindow, session, shell } from 'electron';
import { sameDocument } from './ipc';
import { desktopCsp } from './content-policy';
import { APP_PAGE_URL } from './app-protocol';

/**
 * The one app window: sandboxed, context-isolated, no Node in the page, preload as the only
 * bridge. It may not navigate away from our page, open windows, or get any permission.
 */
export interface MainWindow {
  win: BrowserWindow;
  /** The page the sender check trusts. */
  pageUrl: string;
}

export function createMainWindow(options: { preloadDir: string; devUrl: string | undefined }): MainWindow {
  const pageUrl = options.devUrl ?? APP_PAGE_URL;
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Loupe',
    backgroundColor: '#111418',
    webPreferences: {
      preload: preloadPath(options.preloadDir),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });

  const contents = win.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (!sameDocument(event.url, pageUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  if (options.devUrl) {
    const csp = desktopCsp(true);
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  }
  win.once('ready-to-show', () => win.show());
  void win.loadURL(pageUrl);
  return { win, pageUrl };
}

/** electron-vite names the preload after the package's module type; accept what the build wrote. */
function preloadPath(dir: string): string {
  for (const name of ['index.cjs', 'index.js', 'index.mjs']) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return join(dir, 'index.js');
}
