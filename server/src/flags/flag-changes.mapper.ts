import type { Variant } from '@signalbox/sdk/core';
import {
  type CreateFlagDto,
  DEFAULT_FLAG_PAGE,
  type ListFlagsQueryDto,
  type SearchFlagsQueryDto,
  type UpdateFlagDto,
  type VariantDto,
} from './dto/flag.dto.js';
import { validationFailed } from '../common/errors/domain-error.js';
import type { FlagChange, FlagFilter, FlagListPosition, FlagOrder, FlagPageRequest, FlagSortField, NewFlag, SortDirection } from './flag-changes.js';

// Request DTOs → the domain, at the HTTP edge: FlagsService never sees a DTO class.

/** A variant as stored: an empty name or description is none, and nothing else the request carried. */
export const toVariant = (dto: VariantDto): Variant => ({
  key: dto.key,
  value: dto.value,
  ...(dto.name ? { name: dto.name } : {}),
  ...(dto.description ? { description: dto.description } : {}),
});

export const toFlagFilter = (dto: ListFlagsQueryDto): FlagFilter => ({
  q: dto.q,
  tag: dto.tag,
  owner: dto.owner,
  archived: dto.archived,
  stale: dto.stale,
  status: dto.status,
  environment: dto.environment,
});

export const toFlagOrder = (dto: ListFlagsQueryDto): FlagOrder => ({ field: dto.sort ?? 'key', direction: dto.order ?? 'asc' });

// A cursor is opaque to callers: base64url JSON of the order it belongs to and the position after
// which the next page starts. Carrying the order lets a cursor sent with another sort be refused
// instead of silently starting somewhere meaningless.
interface CursorBody {
  sort: FlagSortField;
  order: SortDirection;
  value: string;
  key: string;
}

export const toCursor = (order: FlagOrder, position: FlagListPosition): string =>
  Buffer.from(JSON.stringify({ sort: order.field, order: order.direction, value: position.value, key: position.key } satisfies CursorBody)).toString(
    'base64url',
  );

const badCursor = (reason: string) => validationFailed([{ field: 'cursor', reason }]);

const positionOf = (cursor: string, order: FlagOrder): FlagListPosition => {
  let body: Partial<CursorBody>;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    throw badCursor("is not a page's nextCursor");
  }
  if (typeof body !== 'object' || body === null || typeof body.value !== 'string' || typeof body.key !== 'string')
    throw badCursor("is not a page's nextCursor");
  if (body.sort !== order.field || body.order !== order.direction)
    throw badCursor(`belongs to sort=${String(body.sort)}&order=${String(body.order)}; send the same sort and order`);
  return { value: body.value, key: body.key };
};

/** The page a search asks for. */
export const toFlagPageRequest = (dto: SearchFlagsQueryDto): FlagPageRequest => {
  const order = toFlagOrder(dto);
  return { order, limit: dto.limit ?? DEFAULT_FLAG_PAGE, ...(dto.cursor !== undefined ? { after: positionOf(dto.cursor, order) } : {}) };
};

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
