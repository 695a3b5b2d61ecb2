import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/client';
import { queryKeys } from './api/queryKeys';
import { applyTheme, storedTheme } from './features/shell/ThemeToggle/theme';
import { prefetchFirstScreen } from './features/shell/workspace/prefetch';
import './styles.css';

// The entry stays small: it sends the first screen's requests first, then loads the rest of the
// console (mount.tsx), so the server works on the answers while the browser fetches and runs the code,
// instead of one after the other.

// An expired or revoked session anywhere sends the user back to the sign-in form.
const onError = (error: unknown) => {
  if (error instanceof ApiError && error.status === 401) queryClient.setQueryData(queryKeys.me, null);
};

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: { queries: { retry: (count, error) => !(error instanceof ApiError && error.status < 500 && error.status > 0) && count < 2 } },
});

// A pinned theme applies before the first paint, loading spinner included.
applyTheme(storedTheme());

prefetchFirstScreen(queryClient, window.location);

const root = document.getElementById('root')!;
import('./mount').then(
  ({ mount }) => mount(root, queryClient),
  () => {
    // The console's code could not be loaded (a deploy replaced it, the network dropped): say so instead of a blank page.
    root.textContent = 'Signalbox could not load. Reload the page to try again.';
  },
);
