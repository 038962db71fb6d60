import { create } from 'zustand';
import { persist, createJSONStorage } from 'zustand/middleware';

export type Theme = 'system' | 'light' | 'dark';

interface ThemeState {
  theme: Theme;
  set: (t: Theme) => void;
}

/** Light or dark; "system" follows the OS (the stylesheet's prefers-color-scheme). */
export const useTheme = create<ThemeState>()(
  persist((set) => ({ theme: 'system', set: (theme) => set({ theme }) }), {
    name: 'vminer.theme',
    storage: createJSONStorage(() => localStorage),
  }),
);

export function applyTheme(t: Theme): void {
  if (t === 'system') delete document.documentElement.dataset['theme'];
  else document.documentElement.dataset['theme'] = t;
}
