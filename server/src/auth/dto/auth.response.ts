import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Principal } from '../principal.js';
import { ROLES, type Role, TOKEN_ACCESS, type TokenAccess } from '../roles.js';

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ description: 'Disabled users cannot sign in' }) disabled: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: 'Signs in with a TOTP code after the password' }) twoFactor: boolean;
  @ApiProperty({ description: 'Signs in through the OIDC provider, which sets the role at each sign-in' }) singleSignOn: boolean;
}

/** An API token as listed: never its secret. */
export class TokenResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'First characters of the secret, to tell tokens apart' }) prefix: string;
  @ApiProperty({ enum: TOKEN_ACCESS }) access: TokenAccess;
  @ApiProperty({ type: [String], nullable: true, description: 'kill-switch tokens: the projects they are limited to (null: all)' }) projects: string[] | null;
  @ApiProperty({ type: [String], nullable: true, description: 'kill-switch tokens: the environments they are limited to (null: all)' }) environments:
    string[] | null;
  @ApiProperty() createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the token stops working; null: valid until revoked' }) expiresAt:
    string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the token last authenticated (kept to the minute: written at most once a minute); null: never used',
  })
  lastUsedAt: string | null;
}

export class SessionResponse {
  @ApiProperty({ description: 'The session token, also set as the session cookie; send it as a bearer token' }) token: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ type: UserResponse }) user: UserResponse;
}

const PRINCIPAL_KINDS = ['user', 'token', 'admin-token', 'sdk'] as const satisfies ReadonlyArray<Principal['kind']>;

export class MeResponse {
  @ApiProperty({ enum: PRINCIPAL_KINDS }) kind: Principal['kind'];
  @ApiProperty({ description: "A user's name, a token's name, the admin token's name or `sdk`" }) name: string;
  @ApiProperty({
    enum: [...TOKEN_ACCESS, 'sdk'],
    description: "A user's role, a token's access (a role or kill-switch), admin for the admin token, sdk for an SDK key",
  })
  role: TokenAccess | 'sdk';
  @ApiPropertyOptional({ type: UserResponse, description: 'For a signed-in user' }) user?: UserResponse;
  @ApiPropertyOptional({
    description: 'For a signed-in user: true while SIGNALBOX_REQUIRE_TWO_FACTOR keeps them from anything but enrolling a second factor',
  })
  secondFactorPending?: boolean;
}

/** How the console's sign-in page may sign in, besides email and password. */
export class SignInOptionsResponse {
  @ApiProperty({ type: String, nullable: true, description: 'The OIDC provider\'s name ("Sign in with …"), null when OIDC is not configured' })
  oidcProvider: string | null;
  @ApiProperty({ description: 'Where the console sends the browser to sign in through the provider' }) oidcStartPath: string;
}

export class TwoFactorStatusResponse {
  @ApiProperty() enabled: boolean;
  @ApiProperty({ description: 'SIGNALBOX_REQUIRE_TWO_FACTOR is on and this user signs in with a password' }) required: boolean;
  @ApiProperty({ description: 'Unused recovery codes' }) recoveryCodesLeft: number;
}

export class TwoFactorEnrolmentResponse {
  @ApiProperty({ description: 'The TOTP secret (base32), to type into an authenticator app; shown only now' }) secret: string;
  @ApiProperty({ description: 'The same as an otpauth:// URI, for a QR code' }) otpauthUri: string;
}

export class RecoveryCodesResponse {
  @ApiProperty({ type: [String], description: 'One-time codes for when the app is lost, shown this once; only their hashes are stored' })
  recoveryCodes: string[];
}

export class CreatedUserResponse {
  @ApiProperty({ type: UserResponse }) user: UserResponse;
  @ApiPropertyOptional({ description: 'The generated password, shown this once; absent when the request gave one' }) password?: string;
}

export class IssuedTokenResponse {
  @ApiProperty({ type: TokenResponse }) token: TokenResponse;
  @ApiProperty({ description: 'The token, shown this once; only its hash is stored' }) secret: string;
}
