import { stringify } from 'yaml';
import type { FlagConfigView, FlagView } from '../flags/flag.mapper.js';
import type { SegmentResponse } from '../segments/dto/segment.response.js';
import { configComparable } from './file-plan.js';
import { FILE_FORMAT_VERSION, type FileConfig, type FileFlag, type FileSegment, type SignalboxFile } from './signalbox-file.js';

// Project state → the file. Defaults are left out (an empty description, no owner, no tags, a
// temporary lifecycle), so a file reads like something a person wrote and diffs stay small.

export const toFileConfig = (config: FlagConfigView): FileConfig => ({ baseVersion: config.version, ...configComparable(config) });

export const toFileFlag = (flag: FlagView, environments: readonly string[]): FileFlag => ({
  key: flag.key,
  baseVersion: flag.version,
  name: flag.name,
  ...(flag.description ? { description: flag.description } : {}),
  ...(flag.owner ? { owner: flag.owner } : {}),
  ...(flag.tags.length > 0 ? { tags: flag.tags } : {}),
  kind: flag.kind,
  variants: flag.variants,
  ...(flag.lifecycle !== 'temporary' ? { lifecycle: flag.lifecycle } : {}),
  ...(flag.expiresAt ? { expiresAt: flag.expiresAt } : {}),
  environments: Object.fromEntries(environments.flatMap((e) => (flag.environments[e] ? [[e, toFileConfig(flag.environments[e])]] : []))),
});

export const toFileSegment = (segment: SegmentResponse): FileSegment => ({
  key: segment.key,
  baseVersion: segment.version,
  name: segment.name,
  ...(segment.description ? { description: segment.description } : {}),
  included: segment.included,
  excluded: segment.excluded,
  rules: segment.rules,
});

export const toSignalboxFile = (projectKey: string, flags: FlagView[], segments: SegmentResponse[], environments: readonly string[]): SignalboxFile => ({
  version: FILE_FORMAT_VERSION,
  project: projectKey,
  segments: segments.map(toFileSegment),
  flags: flags.filter((f) => !f.archived).map((f) => toFileFlag(f, environments)),
});

const HEADER = [
  'Signalbox file: flags, segments and per-environment configs as code (docs/signalbox-file.schema.json).',
  'Review changes with `npx signalbox plan -f <file>`, make them with `npx signalbox apply -f <file> --reason "..."`.',
  'baseVersion: the version each item was exported at; applying over a newer version is a conflict. Kill state is not here.',
];

export const toYaml = (file: SignalboxFile): string =>
  // No anchors or aliases: each value is written out where it is, as a reviewer expects.
  `${HEADER.map((l) => `# ${l}`).join('\n')}\n${stringify(file, { aliasDuplicateObjects: false, lineWidth: 0 })}`;
