import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import type { EventName } from '../../shared/api/contract';
import { createEngine, type Engine } from '../engine/api';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { createIpcRegistry, createSenderCheck } from './ipc';
import { installMenu } from './menu';
import { createMainWindow, type MainWindow } from './window';

/**
 * Desktop lifecycle: one window, one engine, the case from argv (or the bundled sample case)
 * opened as soon as the window exists. Job events are forwarded to the page.
 */
const here = dirname(fileURLToPath(import.meta.url));
const devUrl = process.env['ELECTRON_RENDERER_URL'];

registerAppScheme();
// A second launch hands its argv to the first (second-instance below) and leaves.
const primary = app.requestSingleInstanceLock();

let engine: Engine | null = null;
let main: MainWindow | null = null;
let disposeIpc: (() => void) | null = null;
let quitting = false;

function casePathsFromArgv(argv: string[]): string[] {
  // Unpackaged: electron <app> [paths]; packaged: <exe> [paths]. Flags are Chromium's, not ours.
  const args = argv.slice(app.isPackaged ? 1 : 2).filter((a) => !a.startsWith('-'));
  return args.map((a) => resolve(a)).filter((p) => existsSync(p));
}

/** resources/ of the repo, or of the installed app (packaged builds copy it as extraResources). */
function resourcesDir(): string {
  return app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources');
}

function sampleCase(): string {
  return join(resourcesDir(), 'sample-case');
}

function openPaths(paths: string[]): void {
  if (!engine || paths.length === 0) return;
  try {
    engine.openCase({ paths });
  } catch (error) {
    dialog.showErrorBox('Loupe', error instanceof Error ? error.message : String(error));
  }
}

async function chooseAndOpen(kind: 'folder' | 'files'): Promise<void> {
  if (!main) return;
  const result = await dialog.showOpenDialog(main.win, {
    title: kind === 'folder' ? 'Open a folder of AWS logs' : 'Open AWS log files',
    properties: kind === 'folder' ? ['openDirectory'] : ['openFile', 'multiSelections'],
    filters:
      kind === 'files'
        ? [
            { name: 'AWS logs', extensions: ['gz', 'json', 'log', 'txt', 'csv', 'zip', 'parquet'] },
            { name: 'All files', extensions: ['*'] },
          ]
        : [],
  });
  if (!result.canceled) openPaths(result.filePaths);
}

async function start(): Promise<void> {
  await app.whenReady();
  // The rules folder is named here: paths the engine derives from its own file do not survive
  // bundling into out/main.
  engine = await createEngine({ shell: 'desktop', rulesDir: join(resourcesDir(), 'detections') });
  if (!devUrl) serveRenderer(join(here, '..', 'renderer'));
  main = createMainWindow({ preloadDir: join(here, '..', 'preload'), devUrl });

  const window = main;
  const registry = createIpcRegistry(
    ipcMain,
    createSenderCheck(() => (window.win.isDestroyed() ? null : window.win), window.pageUrl),
  );
  disposeIpc = registry.registerAll(engine.handlers);
  const forward = (event: EventName, payload: unknown) => {
    if (!window.win.isDestroyed()) window.win.webContents.send(event, payload);
  };
  engine.jobs.subscribe({
    progress: (payload) => forward('jobs:progress', payload),
    finished: (payload) => forward('jobs:finished', payload),
  });

  installMenu({
    openFolder: () => void chooseAndOpen('folder'),
    openFiles: () => void chooseAndOpen('files'),
    quit: () => app.quit(),
  });

  const fromArgv = casePathsFromArgv(process.argv);
  const initial = fromArgv.length > 0 ? fromArgv : [sampleCase()].filter((p) => existsSync(p));
  // Open once the page can hear the job events.
  window.win.webContents.once('did-finish-load', () => openPaths(initial));
}

app.on('second-instance', (_event, argv) => {
  if (main && !main.win.isDestroyed()) {
    if (main.win.isMinimized()) main.win.restore();
    main.win.focus();
  }
  openPaths(casePathsFromArgv(argv));
});

app.on('window-all-closed', () => app.quit());

app.on('will-quit', (event) => {
  if (quitting || !engine) return;
  // Close DuckDB and remove the temp workspace before the process goes.
  event.preventDefault();
  quitting = true;
  disposeIpc?.();
  void engine.close().finally(() => app.quit());
});

app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0 && engine) app.quit();
});

if (primary) {
  start().catch((error: unknown) => {
    dialog.showErrorBox('Loupe could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
} else {
  app.quit();
}
