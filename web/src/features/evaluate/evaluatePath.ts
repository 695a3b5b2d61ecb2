/** Where the Evaluate page of a project's environment lives (a route in App.tsx, a link in the shell). */
export const evaluatePath = (project: string, environment: string, context?: string) =>
  `/${project}/${environment}/evaluate${context === undefined ? '' : `?context=${encodeURIComponent(context)}`}`;
