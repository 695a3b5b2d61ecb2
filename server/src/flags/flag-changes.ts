import type { FlagKind, Variant } from '@signalbox/sdk/core';
import type { Lifecycle } from './flag.entity.js';

// What FlagsService takes to list, create and change flags (their own fields, not their per-environment
// configs: see flag-config-change.ts). Plain domain types, so any caller — the HTTP edge
// (flag-changes.mapper.ts), the demo seed, a test — speaks to the service the same way.

/** Which flags of a project a list holds; each absent filter matches every flag. */
export interface FlagFilter {
  /** Searched for, case-insensitively, in key, name, description and tags. */
  readonly q?: string;
  readonly tag?: string;
  readonly owner?: string;
  /** Absent: active flags only. */
  readonly archived?: 'active' | 'archived' | 'all';
  /** Only stale flags (true) or only fresh ones (false). */
  readonly stale?: boolean;
  /** Only flags in this state in `environment` (an environment key; required with it). */
  readonly status?: FlagStatus;
  readonly environment?: string;
}

export const FLAG_STATUSES = ['on', 'off', 'killed'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

/** What a list can be ordered by: `changed` is the newest write to the flag or any of its configs; `evaluated` the newest SDK evaluation in any environment (never evaluated: oldest). */
export const FLAG_SORT_FIELDS = ['key', 'name', 'changed', 'evaluated'] as const;
export type FlagSortField = (typeof FLAG_SORT_FIELDS)[number];
export type SortDirection = 'asc' | 'desc';

/** An order of the list. The flag key breaks ties in the same direction, so the order is total. */
export interface FlagOrder {
  readonly field: FlagSortField;
  readonly direction: SortDirection;
}

/**
 * Where a page starts: strictly after the flag with this sort value and key, in that order. A
 * position, not an offset, so a flag created or deleted meanwhile cannot shift the next page.
 */
export interface FlagListPosition {
  /** The sort value as the database compared it (text: exact to the microsecond). */
  readonly value: string;
  readonly key: string;
}

/** One page of a list: `limit` flags after `after` (absent: from the first). */
export interface FlagPageRequest {
  readonly order: FlagOrder;
  readonly limit: number;
  readonly after?: FlagListPosition;
}

/** A flag to create. It is off in every environment until configured. */
export interface NewFlag {
  readonly key: string;
  readonly name: string;
  readonly description?: string;
  readonly owner?: string;
  readonly tags?: readonly string[];
  readonly kind: FlagKind;
  /** Absent: on (true) and off (false) for a boolean flag; the other kinds need at least one. */
  readonly variants?: readonly Variant[];
  /** Served when off, in every environment until changed. Absent: "off" if there is one, else the first variant. */
  readonly offVariant?: string;
  /** Served by the default rule when on. Absent: "on" if there is one, else the first variant. */
  readonly onVariant?: string;
  /** Absent: temporary. */
  readonly lifecycle?: Lifecycle;
  readonly expiresAt?: Date;
}

/** A change of a flag's own fields: an absent field stays as it is, null clears it, a value sets it. */
export interface FlagChange {
  /** The flag version the change is based on: any other current version refuses it (409). */
  readonly basedOnVersion: number;
  readonly reason?: string;
  readonly name?: string;
  readonly description?: string;
  readonly owner?: string | null;
  readonly tags?: readonly string[];
  /** The complete list; a variant still served or required somewhere cannot be removed. */
  readonly variants?: readonly Variant[];
  readonly lifecycle?: Lifecycle;
  readonly expiresAt?: Date | null;
}
