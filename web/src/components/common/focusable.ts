const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]';

/** What Tab can reach inside `root`, in document order: enabled, not hidden, not inert, not taken out of the tab order. */
export const focusableIn = (root: HTMLElement): HTMLElement[] =>
  Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) =>
      !(el as HTMLButtonElement).disabled &&
      el.tabIndex >= 0 &&
      !(el instanceof HTMLInputElement && el.type === 'hidden') &&
      !el.closest('[inert], [hidden], fieldset[disabled]'),
  );
