import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { App } from './App';

/**
 * Renders the console. A data router, so that UnsavedChangesGuard's blocker also stops Back and
 * Forward while a form is dirty; its one splat route renders <App/>, whose <Routes> match the rest.
 */
export const mount = (container: HTMLElement, queryClient: QueryClient) => {
  const router = createBrowserRouter([{ path: '*', element: <App /> }]);
  createRoot(container).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
};
