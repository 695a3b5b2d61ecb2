import type { SecretBox } from '../../common/crypto/secret-box.js';
import type { OidcFlow } from './oidc-client.js';

export const OIDC_FLOW_COOKIE = 'signalbox_oidc';
export const OIDC_FLOW_TTL_MS = 10 * 60_000;
const CONTEXT = 'oidc-flow';

/**
 * The flow's state, nonce and PKCE verifier travel in the browser's cookie, sealed with the
 * server's key: any instance can check the callback, and the browser can neither read nor change them.
 */
export const sealFlow = (box: SecretBox, flow: OidcFlow, now: number): string => box.seal(JSON.stringify({ ...flow, until: now + OIDC_FLOW_TTL_MS }), CONTEXT);

/** The flow, or null when the cookie is missing, tampered with or older than OIDC_FLOW_TTL_MS. */
export const openFlow = (box: SecretBox, sealed: string | undefined, now: number): OidcFlow | null => {
  if (!sealed) return null;
  try {
    const value = JSON.parse(box.open(sealed, CONTEXT)) as OidcFlow & { until: number };
    if (typeof value.until !== 'number' || value.until < now) return null;
    return { state: value.state, nonce: value.nonce, codeVerifier: value.codeVerifier };
  } catch {
    return null;
  }
};
