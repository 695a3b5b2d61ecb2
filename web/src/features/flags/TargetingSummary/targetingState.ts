import type { FlagConfigView } from '../../../api/flags';

/**
 * What the targeting switch means right now. A kill overrides `on` (evaluation step 2 before 3),
 * so a killed flag never reads "rules decide", whatever its switch says.
 */
export const targetingState = (config: Pick<FlagConfigView, 'killed'>, on: boolean): string =>
  config.killed ? 'Killed: serving the off variant to everyone' : on ? 'On: rules and the default rule decide' : 'Off: everyone gets the off variant';
