const LAST_LOCATION = 'signalbox.lastLocation';

/** Where the user last was inside a project (`/demo/staging/flags/x?tab=history`), so sign-in lands there again. */
export const rememberLocation = (location: string) => {
  try {
    localStorage.setItem(LAST_LOCATION, location);
  } catch {
    // Private windows may refuse storage; sign-in then falls back to the first project.
  }
};

export const rememberedLocation = (): string | null => {
  try {
    return localStorage.getItem(LAST_LOCATION);
  } catch {
    return null;
  }
};

/** The project and environment keys a remembered location names, or null when it names none. */
export const locationWorkspace = (location: string): { project: string; environment: string } | null => {
  const [, project, environment] = location.split(/[/?#]/);
  return project && environment ? { project: decodeURIComponent(project), environment: decodeURIComponent(environment) } : null;
};
