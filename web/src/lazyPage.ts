import { type ComponentType, lazy } from 'react';

/** How every page split off the first screen is loaded, to fetch them all ahead of need. */
const loaders: Array<() => Promise<unknown>> = [];

/**
 * A page whose code is loaded when it is first shown, so the first screen (the flags list) does not
 * wait for it; `warmPages` fetches them all once the first screen is up, so later navigation does not wait either.
 */
export const lazyPage = <P extends object>(load: () => Promise<ComponentType<P>>) => {
  loaders.push(load);
  return lazy(async () => ({ default: await load() }));
};

/** Loads every lazy page's code when the browser has nothing better to do. */
export const warmPages = () => {
  const warm = () => loaders.forEach((load) => void load().catch(() => {}));
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(warm, { timeout: 3000 });
    return () => cancelIdleCallback(id);
  }
  const timer = setTimeout(warm, 1000);
  return () => clearTimeout(timer);
};
