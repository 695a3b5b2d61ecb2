/**
 * `work`'s outcome (its value, or its rejection), or `fallback` if it has not settled within `ms`.
 * The timer is cleared either way; `work` itself goes on.
 */
export const settledWithin = <T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
};
