import { describe, expect, it } from 'vitest';
import { read, sourceFiles, stripComments } from './source-files';

/** IPC handlers are registered in exactly one place: electron/main/ipc*.ts (the wrapper). */
const REGISTRATION = /\bipcMain\s*(?:\?\.|\.)\s*(handle|handleOnce|on|once|addListener|prependListener)\s*\(/;
const DESTRUCTURED = /\{[^}]*\b(handle|handleOnce|on|once|addListener)\b[^}]*\}\s*=\s*ipcMain\b/;

function registersIpc(code: string): boolean {
  const text = stripComments(code);
  return REGISTRATION.test(text) || DESTRUCTURED.test(text);
}

describe('IPC registration', () => {
  it('recognises direct and destructured registrations, not comments', () => {
    expect(registersIpc(`ipcMain.handle('x', fn)`)).toBe(true);
    expect(registersIpc(`ipcMain . on ('x', fn)`)).toBe(true);
    expect(registersIpc(`const { handle } = ipcMain;`)).toBe(true);
    expect(registersIpc(`// ipcMain.handle('x', fn)`)).toBe(false);
    expect(registersIpc(`createIpcRegistry(ipcMain, check)`)).toBe(false);
  });

  it('happens only inside electron/main/ipc*', () => {
    const offenders = sourceFiles('electron', 'renderer', 'shared').filter(
      (file) => !/^electron\/main\/ipc[^/]*\.ts$/.test(file) && registersIpc(read(file)),
    );
    expect(offenders).toEqual([]);
  });

  it('the main process wires every channel through the wrapper', () => {
    const main = read('electron/main/index.ts');
    expect(main).toMatch(/createIpcRegistry\(\s*ipcMain/);
    expect(main).toMatch(/registerAll\(/);
  });
});
