/** Where a client finds the server's endpoints, from the base URL it was given. */
export interface ServerEndpoints {
  /** Scheme, host and port, for socket.io's Manager. */
  origin: string;
  /** The socket.io HTTP path (`/socket.io`, under the base URL's path when it has one). */
  socketPath: string;
  configUrl: string;
  streamUrl: string;
  ackUrl: string;
}

/**
 * Derives the endpoints from a base URL such as `https://flags.example.com` or, behind a proxy
 * that mounts the server under a path, `https://example.com/signalbox`. Throws on a malformed URL
 * (the constructor's only throw).
 */
export function serverEndpoints(url: string): ServerEndpoints {
  const parsed = parseServerUrl(url);
  const prefix = parsed.pathname.replace(/\/+$/, '');
  const base = `${parsed.origin}${prefix}`;
  return {
    origin: parsed.origin,
    socketPath: `${prefix}/socket.io`,
    configUrl: `${base}/api/v1/sdk/config`,
    streamUrl: `${base}/api/v1/sdk/stream`,
    ackUrl: `${base}/api/v1/sdk/ack`,
  };
}

/**
 * The base URL parsed, or a TypeError when it is malformed or not http(s). What a client checks at
 * construction; the endpoints are derived only when a transport needs them (the URL's `origin`
 * getter alone costs a cold start more than the parse).
 */
export function parseServerUrl(url: string): URL {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`the server URL must be http(s), got "${parsed.protocol}"`);
  }
  return parsed;
}
