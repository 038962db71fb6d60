import type { NavigationTarget } from '../../shared/ipc.js';
import type { DoctorRunner } from './doctor.js';
import type { MenuItemSpec } from './tray.js';

export interface MenuActions {
  navigate(to: NavigationTarget): void;
  exportEstate(): void;
  /** The whole estate as a workbook in RVTools' layout (the save dialog offers that file type only). */
  exportRvtools(): void;
  syncNow(): void;
  openLogsFolder(): void;
  copyDiagnostics(): void;
  /** Absent until `vminer doctor` exists: the item is then shown disabled. */
  runDoctor: DoctorRunner | undefined;
  showDoctor(run: DoctorRunner): void;
  about(): void;
}

/** The native application menu. */
export function appMenu(opts: {
  platform: NodeJS.Platform;
  devTools: boolean;
  actions: MenuActions;
}): MenuItemSpec[] {
  const a = opts.actions;
  const mac = opts.platform === 'darwin';
  const settings: MenuItemSpec = {
    id: 'settings',
    label: mac ? 'Settings…' : 'Settings',
    accelerator: 'CmdOrCtrl+,',
    click: () => a.navigate('settings'),
  };
  const doctor = a.runDoctor;
  const menu: MenuItemSpec[] = [];
  if (mac)
    menu.push({
      label: 'vMiner',
      submenu: [
        { label: 'About vMiner', click: a.about },
        { type: 'separator' },
        settings,
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  menu.push(
    {
      label: 'File',
      submenu: [
        { id: 'sync-now', label: 'Sync all now', accelerator: 'CmdOrCtrl+R', click: a.syncNow },
        { id: 'export', label: 'Export everything…', accelerator: 'CmdOrCtrl+E', click: a.exportEstate },
        { id: 'export-rvtools', label: 'Export in RVTools layout…', click: a.exportRvtools },
        ...(mac ? [] : [{ type: 'separator' } as MenuItemSpec, settings]),
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit', label: 'Quit vMiner' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { id: 'go-chat', label: 'Chat', accelerator: 'CmdOrCtrl+1', click: () => a.navigate('chat') },
        { id: 'go-vms', label: 'VMs', accelerator: 'CmdOrCtrl+2', click: () => a.navigate('vms') },
        {
          id: 'go-vcenters',
          label: 'vCenters',
          accelerator: 'CmdOrCtrl+3',
          click: () => a.navigate('vcenters'),
        },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(opts.devTools ? [{ role: 'toggleDevTools' } as MenuItemSpec] : []),
      ],
    },
    { label: 'Window', submenu: [{ role: 'minimize' }, ...(mac ? [{ role: 'zoom' } as MenuItemSpec] : [])] },
    {
      label: 'Help',
      role: 'help',
      submenu: [
        { id: 'open-logs', label: 'Open logs folder', click: a.openLogsFolder },
        { id: 'copy-diagnostics', label: 'Copy diagnostics bundle', click: a.copyDiagnostics },
        doctor
          ? { id: 'doctor', label: 'Run doctor checks', click: () => a.showDoctor(doctor) }
          : { id: 'doctor', label: 'Run doctor checks (not in this build)', enabled: false },
        ...(mac ? [] : [{ type: 'separator' } as MenuItemSpec, { label: 'About vMiner', click: a.about }]),
      ],
    },
  );
  return menu;
}
