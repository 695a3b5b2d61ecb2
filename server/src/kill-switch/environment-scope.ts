import type { Principal } from '../auth/principal.js';

/**
 * The environments a caller may kill and restore in: a kill-switch token may be limited to some
 * (the guard has already checked its projects); everyone else who reaches these routes may act
 * everywhere. `null` = no limit.
 */
export const environmentScope = (principal: Principal): string[] | null =>
  principal.kind === 'token' && principal.access === 'kill-switch' ? principal.environments : null;
