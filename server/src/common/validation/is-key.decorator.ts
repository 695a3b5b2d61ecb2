import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, type ValidationOptions } from 'class-validator';

export const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** A key of a project, environment, flag or segment: lowercase letters, digits, `.`, `-`, `_`; at most 128. */
export const IsKey = (options: Pick<ValidationOptions, 'each'> = {}) =>
  applyDecorators(
    IsString(options),
    MaxLength(128, options),
    Matches(KEY_PATTERN, { ...options, message: '$property must use only lowercase letters, digits, ".", "-" and "_", starting with a letter or digit' }),
  );

/** `IsKey` plus its OpenAPI description, for request bodies. */
export const ApiKeyProperty = (description: string) => applyDecorators(ApiProperty({ description, pattern: KEY_PATTERN.source, maxLength: 128 }), IsKey());
