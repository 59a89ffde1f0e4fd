import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  newCase(): void;
  openCase(): void;
  save(): void;
  saveAs(): void;
  closeCase(): void;
  openFolder(): void;
  openFiles(): void;
  quit(): void;
}

export function installMenu(actions: MenuActions): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Case…', accelerator: 'CmdOrCtrl+N', click: () => actions.newCase() },
        { label: 'Open Case…', accelerator: 'CmdOrCtrl+Shift+O', click: () => actions.openCase() },
        { type: 'separator' },
        { label: 'Add Log Folder…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFolder() },
        { label: 'Add Log Files…', click: () => actions.openFiles() },
        { type: 'separator' },
        { label: 'Save', accelerator: 'CmdOrCtrl+S', click: () => actions.save() },
        { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => actions.saveAs() },
        { label: 'Close Case', accelerator: 'CmdOrCtrl+W', click: () => actions.closeCase() },
        { type: 'separator' },
        { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
