import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  // Drafts of unsaved edits live in sessionStorage: one test's must not reach the next.
  globalThis.sessionStorage?.clear(); // absent in node-environment tests
});
