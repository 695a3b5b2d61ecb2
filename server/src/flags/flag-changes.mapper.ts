import type { Variant } from '@signalbox/sdk/core';
import type { CreateFlagDto, ListFlagsQueryDto, UpdateFlagDto, VariantDto } from './dto/flag.dto.js';
import type { FlagChange, FlagFilter, NewFlag } from './flag-changes.js';

// Request DTOs → the domain, at the HTTP edge: FlagsService never sees a DTO class.

/** A variant as stored: an empty name or description is none, and nothing else the request carried. */
export const toVariant = (dto: VariantDto): Variant => ({
  key: dto.key,
  value: dto.value,
  ...(dto.name ? { name: dto.name } : {}),
  ...(dto.description ? { description: dto.description } : {}),
});

export const toFlagFilter = (dto: ListFlagsQueryDto): FlagFilter => ({ q: dto.q, tag: dto.tag, owner: dto.owner, archived: dto.archived, stale: dto.stale });

export const toNewFlag = (dto: CreateFlagDto): NewFlag => ({
  key: dto.key,
  name: dto.name,
  description: dto.description,
  owner: dto.owner,
  tags: dto.tags,
  kind: dto.kind,
  variants: dto.variants?.map(toVariant),
  offVariant: dto.offVariant,
  onVariant: dto.onVariant,
  lifecycle: dto.lifecycle,
  expiresAt: dto.expiresAt,
});

/** PATCH: absent stays absent (unchanged) and null stays null (cleared); `version` is what the change is based on. */
export const toFlagChange = (dto: UpdateFlagDto): FlagChange => ({
  basedOnVersion: dto.version,
  reason: dto.reason,
  name: dto.name,
  description: dto.description,
  owner: dto.owner,
  tags: dto.tags,
  variants: dto.variants?.map(toVariant),
  lifecycle: dto.lifecycle,
  expiresAt: dto.expiresAt,
});
