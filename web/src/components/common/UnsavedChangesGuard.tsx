import { type ContextType, useContext, useEffect, useRef, useState } from 'react';
import { createPath, type Location, type To, UNSAFE_DataRouterContext, UNSAFE_NavigationContext, useBlocker, useLocation } from 'react-router';
import { Dialog } from './Dialog';

/** A navigation that leaves the current page (a search change counts: a tab switch unmounts its form). */
const leaves = (current: Pick<Location, 'pathname' | 'search'>, next: Pick<Location, 'pathname' | 'search'>) =>
  current.pathname !== next.pathname || current.search !== next.search;

/** Reload and tab close: the browser asks with its own dialog (its text cannot be set). */
const useBeforeUnload = (when: boolean) => {
  useEffect(() => {
    if (!when) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Chromium before 119 and Safari still need returnValue set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [when]);
};

const LeavePrompt = ({ onStay, onLeave }: { onStay: () => void; onLeave: () => void }) => {
  const stay = useRef<HTMLButtonElement>(null);
  return (
    <Dialog title="Leave without saving?" onClose={onStay} initialFocus={stay}>
      <p>Your changes on this page have not been saved. Leaving discards them.</p>
      <div className="dialog-actions">
        <button ref={stay} type="button" className="btn btn-primary" onClick={onStay}>
          Keep editing
        </button>
        <button type="button" className="btn btn-danger" onClick={onLeave}>
          Leave and discard
        </button>
      </div>
    </Dialog>
  );
};

type Guard = { when: boolean; onDiscard?: () => void };

/** With a data router (createBrowserRouter): react-router's own blocker, which also stops Back and Forward. */
const DataRouterGuard = ({ when, onDiscard }: Guard) => {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => when && leaves(currentLocation, nextLocation));
  if (blocker.state !== 'blocked') return null;
  return (
    <LeavePrompt
      onStay={() => blocker.reset()}
      onLeave={() => {
        onDiscard?.();
        blocker.proceed();
      }}
    />
  );
};

type Navigator = ContextType<typeof UNSAFE_NavigationContext>['navigator'];

/**
 * Routes the router's push and replace through `decide` until the returned function undoes it. This is
 * how a router without a blocker API can be asked first; `proceed` performs the held navigation.
 */
const holdNavigation = (navigator: Navigator, decide: (to: To, proceed: () => void) => void): (() => void) => {
  const { push, replace } = navigator;
  navigator.push = (to, ...rest) => decide(to, () => push(to, ...rest));
  navigator.replace = (to, ...rest) => decide(to, () => replace(to, ...rest));
  return () => {
    navigator.push = push;
    navigator.replace = replace;
  };
};

/**
 * With a plain <BrowserRouter> (no blocker API): hold back the router's pushes and replaces while dirty,
 * which covers links and navigate(). Back and Forward change the URL before anything can ask; the draft
 * kept in session storage covers that case.
 */
const HistoryGuard = ({ when, onDiscard }: Guard) => {
  const { navigator } = useContext(UNSAFE_NavigationContext);
  const location = useLocation();
  const [pending, setPending] = useState<(() => void) | null>(null);
  const current = useRef(location);
  useEffect(() => {
    current.current = location;
  }, [location]);

  useEffect(() => {
    if (!when) return;
    return holdNavigation(navigator, (to, proceed) => {
      const next = new URL(typeof to === 'string' ? to : createPath(to), window.location.href);
      if (!leaves(current.current, next)) proceed();
      else setPending(() => proceed);
    });
  }, [when, navigator]);

  if (!pending) return null;
  return (
    <LeavePrompt
      onStay={() => setPending(null)}
      onLeave={() => {
        setPending(null);
        onDiscard?.();
        pending();
      }}
    />
  );
};

/**
 * Asks before a dirty form is discarded by leaving its page: an in-app navigation gets a "Leave without
 * saving?" dialog, a reload or tab close the browser's own prompt. `onDiscard` runs when the user
 * chooses to leave (e.g. to drop the stored draft).
 */
export const UnsavedChangesGuard = ({ when, onDiscard }: Guard) => {
  useBeforeUnload(when);
  const dataRouter = useContext(UNSAFE_DataRouterContext);
  return dataRouter ? <DataRouterGuard when={when} onDiscard={onDiscard} /> : <HistoryGuard when={when} onDiscard={onDiscard} />;
};
