import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import * as oidc from 'openid-client';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { OidcConfig } from '../../config/auth-config.js';

/** What this browser's sign-in must match when it comes back: kept, sealed, in a cookie. */
export interface OidcFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The provider could not be asked (down, or its discovery document is wrong). */
export class OidcUnavailable extends Error {}

const isLoopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

/**
 * The OpenID Connect relying party (openid-client): discovery, the authorization URL with PKCE,
 * state and nonce, and the code exchange that checks all three and the ID token.
 */
@Injectable()
export class OidcClient implements OnApplicationBootstrap {
  private readonly logger = new Logger('oidc');
  private discovered: Promise<oidc.Configuration> | null = null;
  readonly settings: OidcConfig | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.settings = config.oidc;
  }

  // Discovered ahead of the first sign-in, but a provider that is down must not stop the server
  // (flags and the kill switch do not depend on it): the first sign-in tries again.
  onApplicationBootstrap(): void {
    if (!this.settings) return;
    this.configuration().then(
      () => this.logger.log(`OIDC sign-in through ${this.settings!.issuer.href} (${this.settings!.name})`),
      (err: unknown) => this.logger.error(`OIDC: ${err instanceof Error ? err.message : String(err)}; sign-ins through it fail until it answers`),
    );
  }

  private configuration(): Promise<oidc.Configuration> {
    const settings = this.settings;
    if (!settings) throw new Error('OIDC is not configured');
    this.discovered ??= oidc
      .discovery(settings.issuer, settings.clientId, undefined, oidc.ClientSecretPost(settings.clientSecret), {
        execute: [
          // http only to a provider on this machine (config refuses it elsewhere).
          ...(isLoopback(settings.issuer) && settings.issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : []),
          // The ID token's signature is checked against the provider's published keys too. OIDC lets a
          // client trust a token from the token endpoint on the strength of TLS alone; checking it
          // also holds when TLS ends at a proxy or a provider's key was rotated away after a leak.
          oidc.enableNonRepudiationChecks,
        ],
        timeout: 10,
      })
      .catch((err: unknown) => {
        this.discovered = null;
        throw new OidcUnavailable(`cannot read ${settings.issuer.href}.well-known/openid-configuration: ${err instanceof Error ? err.message : String(err)}`);
      });
    return this.discovered;
  }

  async authorizationUrl(): Promise<{ url: URL; flow: OidcFlow }> {
    const settings = this.settings!;
    const config = await this.configuration();
    const flow: OidcFlow = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: settings.redirectUrl.href,
      scope: settings.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(flow.codeVerifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return { url, flow };
  }

  /**
   * Exchanges the code in `query` (the callback's query string) and returns the user's claims:
   * the ID token's, completed by userinfo (some providers put groups only there).
   * Throws openid-client's errors for a wrong state, nonce or token.
   */
  async complete(query: URLSearchParams, flow: OidcFlow): Promise<Record<string, unknown>> {
    const settings = this.settings!;
    const config = await this.configuration();
    // The configured URL, not the request's: behind a proxy the server sees another host and scheme.
    const current = new URL(settings.redirectUrl);
    current.search = query.toString();
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    const userinfo = config.serverMetadata().userinfo_endpoint ? await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub) : {};
    return { ...userinfo, ...idClaims };
  }
}
