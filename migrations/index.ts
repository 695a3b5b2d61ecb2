import { Foundation1763870400000 } from './1763870400000-foundation.js';
import { SdkPresence1763874000000 } from './1763874000000-sdk-presence.js';

// Every migration, oldest first. Listed as classes: the server is ESM and loads no globs.
export const migrations = [Foundation1763870400000, SdkPresence1763874000000];
