/** The server's rule for project, environment, flag and tag keys. */
export const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export const KEY_HINT = 'lowercase letters, digits, ".", "-" and "_", starting with a letter or digit';
