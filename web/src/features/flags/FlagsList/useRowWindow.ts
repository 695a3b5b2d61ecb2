import { elementScroll, observeElementOffset, observeElementRect, Virtualizer, type VirtualizerOptions } from '@tanstack/react-virtual';
import { useLayoutEffect, useReducer, useState } from 'react';
import { flushSync } from 'react-dom';

type RowWindowOptions = Pick<
  VirtualizerOptions<HTMLDivElement, HTMLTableRowElement>,
  'count' | 'getScrollElement' | 'estimateSize' | 'overscan' | 'getItemKey'
>;

/**
 * Which rows of a long list are near the viewport of a scroll container (TanStack Virtual). Its
 * result is one mutable object whose answers change on every scroll: read it during render and
 * never memoise what it returns. Each change re-renders the caller, which is what keeps it fresh.
 */
export const useRowWindow = (options: RowWindowOptions): Virtualizer<HTMLDivElement, HTMLTableRowElement> => {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const resolved: VirtualizerOptions<HTMLDivElement, HTMLTableRowElement> = {
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    ...options,
    // A synchronous change (a scroll) paints with its rows at once, else a blank strip would flash.
    onChange: (_, sync) => (sync ? flushSync(rerender) : rerender()),
  };
  const [rows] = useState(() => new Virtualizer(resolved));
  rows.setOptions(resolved);
  useLayoutEffect(() => rows._didMount(), [rows]);
  useLayoutEffect(() => {
    rows._willUpdate();
  });
  return rows;
};
