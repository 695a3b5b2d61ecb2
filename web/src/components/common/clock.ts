/** A wall-clock time for "last updated 14:02:11" and "changes from 14:02": 24-hour, the user's locale. */
export const formatClock = (at: number | string | Date, { seconds = true }: { seconds?: boolean } = {}): string => {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hourCycle: 'h23' });
};
