import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import type { EventName } from '../../shared/api/contract';
import { toErrorShape } from '../../shared/errors';
import { createEngine, type Engine } from '../engine/api';
import { findCaseDir } from '../engine/case/workspace';
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

function showError(title: string, error: unknown): void {
  const shape = toErrorShape(error);
  dialog.showErrorBox(title, shape.hint ? `${shape.message}\n\n${shape.hint}` : shape.message);
}

/** Paths from argv or a dialog: a case folder is opened as that case, anything else is evidence. */
function openPaths(paths: string[]): void {
  if (!engine || paths.length === 0) return;
  const current = engine;
  const caseDir = paths.length === 1 ? findCaseDir(paths[0] ?? '') : null;
  if (caseDir) {
    void current.handlers['case:openWorkspace']({ dir: caseDir, readOnly: false }).catch((error: unknown) =>
      showError('Loupe could not open the case', error),
    );
    return;
  }
  try {
    current.openCase({ paths });
  } catch (error) {
    showError('Loupe', error);
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

/** New Case / Save As: the user names a folder; `.loupe` is added to it. */
async function chooseCaseFolder(title: string): Promise<string | null> {
  if (!main) return null;
  const result = await dialog.showSaveDialog(main.win, { title, buttonLabel: 'Save', nameFieldLabel: 'Case name' });
  return result.canceled || !result.filePath ? null : result.filePath;
}

const caseActions = {
  newCase: async () => {
    const dir = await chooseCaseFolder('New case');
    if (!dir || !engine) return;
    await engine.handlers['case:create']({ dir, name: basename(dir).replace(/\.loupe$/i, '') });
  },
  openCase: async () => {
    if (!main || !engine) return;
    const result = await dialog.showOpenDialog(main.win, { title: 'Open a Loupe case', properties: ['openDirectory'] });
    const dir = result.filePaths[0];
    if (!result.canceled && dir) await engine.handlers['case:openWorkspace']({ dir, readOnly: false });
  },
  save: async () => {
    if (!engine) return;
    if (engine.caseInfo()?.temp) return caseActions.saveAs();
    await engine.handlers['case:save']({});
  },
  saveAs: async () => {
    const dir = await chooseCaseFolder('Save case as');
    if (!dir || !engine) return;
    await engine.handlers['case:saveAs']({ dir });
  },
  close: async () => {
    await engine?.handlers['case:close']({});
  },
};

/** Menu actions run outside any page request: their errors go to a dialog. */
function guarded(title: string, action: () => Promise<unknown>): () => void {
  return () => void action().catch((error: unknown) => showError(title, error));
}

async function start(): Promise<void> {
  await app.whenReady();
  // The rules folder is named here: paths the engine derives from its own file do not survive
  // bundling into out/main.
  engine = await createEngine({
    shell: 'desktop',
    rulesDir: join(resourcesDir(), 'detections'),
    // Recent cases live with the app's other per-user data.
    configDir: app.getPath('userData'),
  });
  if (!devUrl) serveRenderer(join(here, '..', 'renderer'));
  main = createMainWindow({ preloadDir: join(here, '..', 'preload'), devUrl });

  const window = main;
  const registry = createIpcRegistry(
    ipcMain,
    createSenderCheck(() => (window.win.isDestroyed() ? null : window.win), window.pageUrl),
  );
  disposeIpc = registry.registerAll(engine.handlers);
  engine.onEvent((event: EventName, payload: unknown) => {
    if (!window.win.isDestroyed()) window.win.webContents.send(event, payload);
  });

  installMenu({
    newCase: guarded('Loupe could not create the case', caseActions.newCase),
    openCase: guarded('Loupe could not open the case', caseActions.openCase),
    save: guarded('Loupe could not save the case', caseActions.save),
    saveAs: guarded('Loupe could not save the case', caseActions.saveAs),
    closeCase: guarded('Loupe could not close the case', caseActions.close),
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
  // Save the analyst's edits, close DuckDB and remove a temp case before the process goes.
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
