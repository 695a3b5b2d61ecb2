import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { IsKey } from '../../common/validation/is-key.decorator.js';
import { IsOmittable } from '../../common/validation/is-omittable.decorator.js';
import { ROLES, type Role, TOKEN_ACCESS, type TokenAccess } from '../roles.js';
import { IsInstant } from '../../common/validation/is-instant.decorator.js';

export class LoginDto {
  @ApiProperty()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;

  @ApiPropertyOptional({ description: 'The 6-digit code from the authenticator app, for users with two-factor sign-in' })
  @IsOmittable()
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits the authenticator app shows' })
  code?: string;

  @ApiPropertyOptional({ description: 'A one-time recovery code, instead of `code`' })
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  recoveryCode?: string;
}

export class TwoFactorCodeDto {
  @ApiProperty({ description: 'The 6-digit code the authenticator app shows' })
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits the authenticator app shows' })
  code: string;
}

export class CreateUserDto {
  @ApiProperty()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ description: 'Omit to have one generated and returned once' })
  @IsOmittable()
  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  password?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOmittable()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'Disabled users cannot sign in; their sessions end' })
  @IsOmittable()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  password?: string;
}

export class CreateTokenDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: TOKEN_ACCESS, description: 'A role, or kill-switch: may only kill and restore flags' })
  @IsIn(TOKEN_ACCESS)
  access: TokenAccess;

  @ApiPropertyOptional({ type: [String], description: 'kill-switch tokens: limit to these project keys' })
  @IsOptional()
  @IsArray()
  // An empty list would make a token that can act nowhere: "all" is said by omitting the field.
  @ArrayMinSize(1, { message: 'projects must name at least one project; omit it for all projects' })
  @ArrayMaxSize(100)
  @ArrayUnique({ message: 'projects must not name the same project twice' })
  @IsKey({ each: true })
  projects?: string[];

  @ApiPropertyOptional({ type: [String], description: 'kill-switch tokens: limit to these environment keys' })
  @IsOptional()
  @IsArray()
  // An empty list would make a token that can act nowhere: "all" is said by omitting the field.
  @ArrayMinSize(1, { message: 'environments must name at least one environment; omit it for all environments' })
  @ArrayMaxSize(100)
  @ArrayUnique({ message: 'environments must not name the same environment twice' })
  @IsKey({ each: true })
  environments?: string[];

  // The range (future, at most TOKEN_MAX_LIFETIME_DAYS ahead) is checked by the service against its clock.
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the token stops working (ISO-8601, in the future, at most 5 years ahead); omit or null for a token valid until revoked',
  })
  @IsOptional()
  @IsInstant()
  expiresAt?: string | null;
}
