import { type Theme, useTheme } from './theme';

const THEMES: { key: Theme; label: string }[] = [
  { key: 'system', label: 'System theme' },
  { key: 'light', label: 'Light theme' },
  { key: 'dark', label: 'Dark theme' },
];

/** Light, dark, or whatever the operating system prefers; remembered in this browser. */
export const ThemeToggle = ({ className = 'switcher' }: { className?: string }) => {
  const [theme, setTheme] = useTheme();
  return (
    <label className={`theme-toggle ${className}`}>
      <span className="visually-hidden">Theme</span>
      <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
        {THEMES.map((t) => (
          <option key={t.key} value={t.key}>
            {t.label}
          </option>
        ))}
      </select>
    </label>
  );
};
