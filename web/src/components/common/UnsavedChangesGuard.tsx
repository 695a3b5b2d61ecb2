import { useContext, useEffect, useRef } from 'react';
import { type Location, UNSAFE_DataRouterContext, useBlocker } from 'react-router';
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

/**
 * react-router's blocker: it holds links, navigate() and also Back and Forward (a data router reverts
 * the history step until the user chooses). Mounted only while the form is dirty: a router holds one
 * blocker at a time, and clean forms on the same page then never compete for it.
 */
const Blocker = ({ onDiscard }: Pick<Guard, 'onDiscard'>) => {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => leaves(currentLocation, nextLocation));
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

/**
 * Asks before a dirty form is discarded by leaving its page: an in-app navigation, Back or Forward gets
 * a "Leave without saving?" dialog, a reload or tab close the browser's own prompt. `onDiscard` runs
 * when the user chooses to leave (e.g. to drop the stored draft). The console runs on a data router
 * (mount.tsx); under a plain <Router> (which has no blocker) only the reload prompt is left.
 */
export const UnsavedChangesGuard = ({ when, onDiscard }: Guard) => {
  useBeforeUnload(when);
  const dataRouter = useContext(UNSAFE_DataRouterContext);
  return dataRouter && when ? <Blocker onDiscard={onDiscard} /> : null;
};
