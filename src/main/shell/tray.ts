import { describeSnapshot, type SyncSnapshot, type TrayState } from './sync-status.js';

/** A menu item as Electron's `Menu.buildFromTemplate` takes it (the subset the shell uses). */
export interface MenuItemSpec {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox' | 'submenu';
  role?: string;
  accelerator?: string;
  enabled?: boolean;
  checked?: boolean;
  visible?: boolean;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export interface TrayActions {
  syncNow(): void;
  pauseSchedule(): void;
  resumeSchedule(): void;
  open(): void;
  quit(): void;
}

/** The tray's context menu for a sync state. */
export function trayMenu(s: SyncSnapshot, actions: TrayActions): MenuItemSpec[] {
  return [
    { id: 'status', label: describeSnapshot(s), enabled: false },
    { type: 'separator' },
    { id: 'sync-now', label: 'Sync now', enabled: s.state !== 'syncing', click: actions.syncNow },
    s.schedulerEnabled
      ? { id: 'schedule', label: 'Pause schedule', click: actions.pauseSchedule }
      : { id: 'schedule', label: 'Resume schedule', click: actions.resumeSchedule },
    { type: 'separator' },
    { id: 'open', label: 'Open vMiner', click: actions.open },
    { id: 'quit', label: 'Quit vMiner', click: actions.quit },
  ];
}

export function trayTooltip(s: SyncSnapshot): string {
  return `vMiner — ${describeSnapshot(s)}`;
}

export const TRAY_ICONS: Record<TrayState, string> = {
  idle: 'idle.png',
  syncing: 'syncing.png',
  failed: 'failed.png',
};

/** The Electron Tray, reduced to what the controller calls (a mock in tests). */
export interface TrayLike {
  setImage(iconPath: string): void;
  setToolTip(text: string): void;
  setContextMenu(menu: MenuItemSpec[]): void;
  onClick(listener: () => void): void;
}

/** Keeps the tray's icon, tooltip and menu in step with the sync state. */
export class TrayController {
  private last: TrayState | undefined;

  constructor(
    private readonly tray: TrayLike,
    private readonly actions: TrayActions,
    private readonly iconPath: (file: string) => string,
  ) {
    tray.onClick(() => actions.open());
  }

  update(s: SyncSnapshot): void {
    if (s.state !== this.last) {
      this.tray.setImage(this.iconPath(TRAY_ICONS[s.state]));
      this.last = s.state;
    }
    this.tray.setToolTip(trayTooltip(s));
    this.tray.setContextMenu(trayMenu(s, this.actions));
  }
}
