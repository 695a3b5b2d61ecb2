import { Foundation1763870400000 } from './1763870400000-foundation.js';
import { SdkConnections1763874000000 } from './1763874000000-sdk-connections.js';

// Every migration, oldest first. Listed as classes: the server is ESM and loads no globs.
export const migrations = [Foundation1763870400000, SdkConnections1763874000000];
