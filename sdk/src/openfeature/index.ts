/** The OpenFeature server provider. */
export { SignalboxProvider, type SignalboxProviderOptions } from './signalbox-provider.js';
