import * as OpenFeatureSdk from '@openfeature/server-sdk';
import { useOpenFeature } from './runtime.js';

// This entry loads OpenFeature as an ES module, the copy the application uses: providers take it from here.
useOpenFeature(OpenFeatureSdk);

/** The OpenFeature server provider. */
export { SignalboxProvider, type SignalboxProviderOptions } from './signalbox-provider.js';
