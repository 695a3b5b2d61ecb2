import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { Access } from '../access.decorator.js';
import { SESSION_COOKIE } from '../auth.guard.js';
import { OidcClient, OidcUnavailable } from './oidc-client.js';
import { OIDC_FLOW_COOKIE, OIDC_FLOW_TTL_MS, openFlow, sealFlow } from './oidc-flow-cookie.js';
import { refusalPage } from './oidc-page.js';
import { type OidcFailure, OidcRefusal, OidcSignIn } from './oidc-sign-in.js';

const FLOW_COOKIE_PATH = '/api/v1/auth/oidc';

/** Which check of the provider's answer failed, from the message of openid-client's error or of its cause (oauth4webapi's). */
const failureOf = (err: unknown): OidcFailure => {
  const message = err instanceof Error ? `${err.message} ${err.cause instanceof Error ? err.cause.message : ''}` : '';
  if (/"state"/.test(message)) return 'oidc-state-mismatch';
  if (/"nonce"/.test(message)) return 'oidc-nonce-mismatch';
  return 'oidc-invalid-response';
};

/**
 * The browser's side of OIDC sign-in: `start` sends it to the provider, the provider sends it back
 * to `callback`, which signs it in (session cookie, then the console) or shows why not.
 */
@ApiTags('auth')
@Controller('auth/oidc')
export class OidcController {
  private readonly logger = new Logger('oidc');

  constructor(
    private readonly client: OidcClient,
    private readonly signIn: OidcSignIn,
    private readonly box: SecretBox,
  ) {}

  @Get('start')
  @Access('public')
  @ApiExcludeEndpoint()
  async start(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.client.settings) {
      res.status(404).type('html').send(refusalPage('Single sign-on is off', 'This Signalbox server is not configured for OIDC sign-in.'));
      return;
    }
    try {
      const { url, flow } = await this.client.authorizationUrl();
      res.cookie(OIDC_FLOW_COOKIE, sealFlow(this.box, flow, Date.now()), {
        httpOnly: true,
        // Lax: the provider's redirect back is a cross-site navigation, which must carry it.
        sameSite: 'lax',
        secure: req.secure,
        maxAge: OIDC_FLOW_TTL_MS,
        path: FLOW_COOKIE_PATH,
      });
      res.redirect(303, url.href);
    } catch (err) {
      if (!(err instanceof OidcUnavailable)) throw err;
      this.logger.error(err.message);
      res
        .status(503)
        .type('html')
        .send(refusalPage(`Cannot reach ${this.client.settings.name}`, `${this.client.settings.name} does not answer; try again later.`));
    }
  }

  @Get('callback')
  @Access('public')
  @ApiExcludeEndpoint()
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const settings = this.client.settings;
    if (!settings) {
      res.status(404).type('html').send(refusalPage('Single sign-on is off', 'This Signalbox server is not configured for OIDC sign-in.'));
      return;
    }
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    const flow = openFlow(this.box, (req.cookies as Record<string, string> | undefined)?.[OIDC_FLOW_COOKIE], Date.now());
    res.clearCookie(OIDC_FLOW_COOKIE, { path: FLOW_COOKIE_PATH });
    try {
      if (query.has('error')) {
        const said = [query.get('error'), query.get('error_description')].filter(Boolean).join(': ');
        throw new OidcRefusal('oidc-provider-error', 'Sign-in not completed', `${settings.name} did not sign you in (${said.slice(0, 300)}).`);
      }
      if (!flow) {
        throw new OidcRefusal('oidc-expired-flow', 'Sign-in expired', 'This sign-in was started more than 10 minutes ago, or in another browser: start again.');
      }
      let claims: Record<string, unknown>;
      try {
        claims = await this.client.complete(query, flow);
      } catch (err) {
        if (err instanceof OidcUnavailable) throw err;
        const failure = failureOf(err);
        const reason = err instanceof Error ? [err.message, err.cause instanceof Error ? err.cause.message : null].filter(Boolean).join(': ') : String(err);
        this.logger.warn({ failure, reason }, 'refused an OIDC sign-in');
        throw new OidcRefusal(
          failure,
          'Sign-in refused',
          `The answer from ${settings.name} did not match this sign-in (${failure.replace('oidc-', '')}): start again.`,
        );
      }
      const session = await this.signIn.signIn(claims, req.ip);
      res.cookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'strict', secure: req.secure, expires: session.expiresAt, path: '/' });
      res.redirect(303, '/');
    } catch (err) {
      if (err instanceof OidcUnavailable) {
        this.logger.error(err.message);
        res
          .status(503)
          .type('html')
          .send(refusalPage(`Cannot reach ${settings.name}`, `${settings.name} does not answer; try again later.`));
        return;
      }
      if (!(err instanceof OidcRefusal)) throw err;
      // Refusals found by the sign-in itself are audited there; the ones before it (no user known yet) here.
      if (!err.audited && err.failure !== 'disabled') await this.signIn.auditRefusal(err.failure, req.ip);
      res.status(403).type('html').send(refusalPage(err.title, err.message));
    }
  }
}
