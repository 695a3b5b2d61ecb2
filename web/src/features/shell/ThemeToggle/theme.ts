import { useEffect, useState } from 'react';

/** `system` follows prefers-color-scheme; the others pin the console to one theme. */
export type Theme = 'system' | 'light' | 'dark';

const THEME = 'signalbox.theme';

export const storedTheme = (): Theme => {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(THEME);
  } catch {
    // Storage refused: follow the system.
  }
  return stored === 'light' || stored === 'dark' ? stored : 'system';
};

/**
 * styles.css picks every colour with light-dark(), which follows `color-scheme`: without the
 * attribute the system preference decides, with it the user's choice does.
 */
export const applyTheme = (theme: Theme) => {
  const root = document.documentElement;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
};

const storeTheme = (theme: Theme) => {
  try {
    if (theme === 'system') localStorage.removeItem(THEME);
    else localStorage.setItem(THEME, theme);
  } catch {
    // Storage refused: the choice lasts until the page reloads.
  }
};

/** The chosen theme, applied to the document and remembered across visits. */
export const useTheme = (): [Theme, (theme: Theme) => void] => {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  useEffect(() => applyTheme(theme), [theme]);
  return [
    theme,
    (next: Theme) => {
      storeTheme(next);
      setTheme(next);
    },
  ];
};
