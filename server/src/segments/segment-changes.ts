import type { Clause } from '@signalbox/sdk/core';

// What SegmentsService takes to create and change segments: plain domain types, so the HTTP edge
// (segment-changes.mapper.ts) and the demo seed speak to it the same way.

/** A rule as given: its clauses are checked on save (a segment rule cannot name other segments). */
export interface SegmentRuleInput {
  readonly clauses: readonly Clause[];
}

/** A segment to create; absent lists are empty. */
export interface NewSegment {
  readonly key: string;
  readonly name: string;
  readonly description?: string;
  readonly included?: readonly string[];
  readonly excluded?: readonly string[];
  readonly rules?: readonly SegmentRuleInput[];
  readonly reason?: string;
}

/** A change of a segment: an absent field stays as it is, a value replaces it. */
export interface SegmentChange {
  /** The segment version the change is based on: any other current version refuses it (409). */
  readonly basedOnVersion: number;
  readonly name?: string;
  readonly description?: string;
  readonly included?: readonly string[];
  readonly excluded?: readonly string[];
  readonly rules?: readonly SegmentRuleInput[];
  readonly reason?: string;
}
