/** A config the engine cannot read. Thrown and caught only inside compilation. */
export class ConfigError extends Error {}
