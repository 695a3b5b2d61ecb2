import { useEffect, useRef, useState } from 'react';

/** How long typing pauses before the list searches: one request per burst, not per keystroke. */
export const SEARCH_DEBOUNCE_MS = 250;

/**
 * The search input. It owns what is typed (local state, updated on every keystroke, so none is
 * ever lost to a slower URL or network round trip); only `onSearch` is debounced. A `value` changed
 * from outside (back button, a link) replaces the text unless the user is mid-burst.
 */
export const SearchBox = ({ value, onSearch, placeholder }: { value: string; onSearch: (value: string) => void; placeholder?: string }) => {
  const [text, setText] = useState(value);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const sent = useRef(value);

  useEffect(() => {
    if (value !== sent.current && pending.current === undefined) {
      sent.current = value;
      setText(value);
    }
  }, [value]);
  useEffect(() => () => clearTimeout(pending.current), []);

  const change = (next: string) => {
    setText(next);
    clearTimeout(pending.current);
    pending.current = setTimeout(() => {
      pending.current = undefined;
      sent.current = next;
      onSearch(next);
    }, SEARCH_DEBOUNCE_MS);
  };

  return (
    <div className="field grow">
      <label htmlFor="filter-search">Search</label>
      <input id="filter-search" type="search" value={text} placeholder={placeholder} onChange={(e) => change(e.target.value)} />
    </div>
  );
};
