import type { FlagKind, Prerequisite, Rule, Segment, Serve, Target, Variant } from '@signalbox/sdk/core';

// The Signalbox file: one project's flags, segments and per-environment configs as code (YAML or
// JSON; docs/signalbox-file.schema.json publishes it). It holds what a reviewer should see in git
// and nothing operational or secret: no SDK keys, tokens, webhooks, users, salts, audit history or
// kill state (a kill is an incident response, not a desired state; apply keeps an active kill).

/** The only format version this server reads and writes. */
export const FILE_FORMAT_VERSION = 1;

/** A flag's config in one environment, as the file holds it. */
export interface FileConfig {
  /** The config version this entry was exported at: applying it while the server holds another version is a conflict. Absent: never written (version 0). */
  baseVersion?: number;
  on: boolean;
  offVariant: string | null;
  targets: Target[];
  rules: Rule[];
  defaultRule: Serve | null;
  prerequisites: Prerequisite[];
}

export interface FileFlag {
  key: string;
  /** The flag version this entry was exported at; absent: the flag is new. */
  baseVersion?: number;
  name: string;
  description?: string;
  owner?: string;
  tags?: string[];
  kind: FlagKind;
  variants: Variant[];
  lifecycle?: 'temporary' | 'permanent';
  /** ISO-8601. */
  expiresAt?: string;
  /** Keyed by environment key; an environment not listed is left as it is. */
  environments: Record<string, FileConfig>;
}

export interface FileSegment extends Pick<Segment, 'key' | 'included' | 'excluded' | 'rules'> {
  /** The segment version this entry was exported at; absent: the segment is new. */
  baseVersion?: number;
  name: string;
  description?: string;
}

export interface SignalboxFile {
  version: typeof FILE_FORMAT_VERSION;
  /** Informational: the project the file was exported from. The URL decides where it is applied. */
  project?: string;
  /** Archive flags and delete segments that the file does not list (default false: absent means "not managed here"). */
  prune?: boolean;
  segments: FileSegment[];
  flags: FileFlag[];
}
