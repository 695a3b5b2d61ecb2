import type { Clause, Variant } from '@signalbox/sdk/core';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { type FieldProblem, validationFailed } from '../common/errors/domain-error.js';
import { declaredBoundsProblems, type DtoClass, inputShapeProblems, isRecord, removeUnknownFields } from '../common/validation/input-bounds.js';
import { KEY_PATTERN } from '../common/validation/is-key.decorator.js';
import { holdPlainValues, putBack } from '../common/validation/plain-values.js';
import { flattenValidationErrors, VALIDATOR_OPTIONS, validationFailedCapped } from '../common/validation/validation-pipe.js';
import { toPrerequisites, toRules, toServe, toTargets } from '../flags/flag-config.mapper.js';
import { toVariant } from '../flags/flag-changes.mapper.js';
import { toClause } from '../targeting/clause.mapper.js';
import { FileConfigDto, type FileFlagDto, MAX_FILE_ENVIRONMENTS, type FileSegmentDto, SignalboxFileDto } from './dto/signalbox-file.dto.js';
import { FILE_FORMAT_VERSION, type FileConfig, type FileFlag, type FileSegment, type SignalboxFile } from './signalbox-file.js';

/**
 * Bounds checked on the text before any parser sees it. The YAML parser builds nodes recursively:
 * 10,000 levels of `[` or of indentation cost it over a second before it overflows. A real file
 * nests about ten levels; an alias bomb is stopped by the parser's own alias budget.
 */
const MAX_TEXT_NESTING = 64;
const MAX_INDENT = 256;
const MAX_ALIASES = 100;

const fileProblem = (reason: string) => validationFailed([{ field: 'file', reason }]);

const nestingTooDeep = (text: string): boolean => {
  let depth = 0;
  let indent = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart && (c === 32 || c === 45)) {
      // Spaces and block-sequence dashes both open a level of indentation.
      if (++indent > MAX_INDENT) return true;
      continue;
    }
    lineStart = false;
    if (c === 91 || c === 123) {
      if (++depth > MAX_TEXT_NESTING) return true;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return false;
};

/** The file's text (YAML or JSON: JSON is YAML) as plain values; a 400 on `file` when it is not one document of bounded size. */
export const parseFileText = (text: string): unknown => {
  if (nestingTooDeep(text)) throw fileProblem(`is nested too deeply (more than ${MAX_TEXT_NESTING} brackets or ${MAX_INDENT} columns of indentation)`);
  try {
    // The core schema: no timestamps or custom tags, so every value is JSON's.
    return parseYaml(text, { maxAliasCount: MAX_ALIASES, schema: 'core', uniqueKeys: true, merge: false, prettyErrors: false });
  } catch (err) {
    throw fileProblem(`is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
};

const under = (root: string, field: string): string => (root === '' ? field : field.startsWith('[') ? `${root}${field}` : `${root}.${field}`);

/** The API pipe's checks, in its order, for a value at `root` inside the file. */
const checkAs = async <T extends object>(value: unknown, type: DtoClass, root: string): Promise<{ instance?: T; problems: FieldProblem[] }> => {
  if (!isRecord(value)) return { problems: [{ field: root || 'file', reason: 'must be an object' }] };
  const prefixed = (problems: FieldProblem[]) => problems.map((p) => ({ ...p, field: under(root, p.field) }));
  const bounds = prefixed(declaredBoundsProblems(value, type));
  if (bounds.length > 0) return { problems: bounds };
  const unknown = prefixed(removeUnknownFields(value, type));
  const shape = inputShapeProblems(value, { root, strings: true });
  if (shape.length > 0) return { problems: shape };
  const held = holdPlainValues(value, type);
  const instance = plainToInstance(type as new () => T, value, { enableImplicitConversion: false });
  putBack(instance, held);
  const errors = await validate(instance, VALIDATOR_OPTIONS);
  return { instance, problems: [...unknown, ...flattenValidationErrors(errors, root)] };
};

const toFileConfig = (dto: FileConfigDto): FileConfig => ({
  ...(dto.baseVersion !== undefined ? { baseVersion: dto.baseVersion } : {}),
  on: dto.on,
  offVariant: dto.offVariant,
  targets: toTargets(dto.targets),
  rules: toRules(dto.rules),
  defaultRule: dto.defaultRule === null ? null : toServe(dto.defaultRule),
  prerequisites: toPrerequisites(dto.prerequisites),
});

const toFileSegment = (dto: FileSegmentDto): FileSegment => ({
  key: dto.key,
  ...(dto.baseVersion !== undefined ? { baseVersion: dto.baseVersion } : {}),
  name: dto.name,
  ...(dto.description ? { description: dto.description } : {}),
  included: dto.included ?? [],
  excluded: dto.excluded ?? [],
  rules: (dto.rules ?? []).map((r) => ({ clauses: r.clauses.map(toClause) as Array<Exclude<Clause, { op: 'segment' }>> })),
});

const toFileFlag = (dto: FileFlagDto, environments: Record<string, FileConfig>): FileFlag => ({
  key: dto.key,
  ...(dto.baseVersion !== undefined ? { baseVersion: dto.baseVersion } : {}),
  name: dto.name,
  ...(dto.description ? { description: dto.description } : {}),
  ...(dto.owner ? { owner: dto.owner } : {}),
  ...(dto.tags?.length ? { tags: dto.tags } : {}),
  kind: dto.kind,
  variants: dto.variants.map(toVariant) as Variant[],
  ...(dto.lifecycle ? { lifecycle: dto.lifecycle } : {}),
  ...(dto.expiresAt ? { expiresAt: dto.expiresAt } : {}),
  environments,
});

const duplicates = (keys: string[], path: string): FieldProblem[] => {
  const seen = new Set<string>();
  return keys.flatMap((key, i) => {
    if (!seen.has(key)) return (seen.add(key), []);
    return [{ field: `${path}[${i}].key`, reason: `'${key}' is listed twice` }];
  });
};

/**
 * The file as the domain takes it, checked with the API's own DTOs; every problem names its path
 * inside the file (`flags[3].environments.production.rules[0].clauses[1].op`).
 */
export const readSignalboxFile = async (input: unknown): Promise<SignalboxFile> => {
  const value = typeof input === 'string' ? parseFileText(input) : input;
  const top = await checkAs<SignalboxFileDto>(value, SignalboxFileDto, '');
  if (!top.instance || top.problems.length > 0) throw validationFailedCapped(top.problems);
  const file = top.instance;
  const problems: FieldProblem[] = [];
  const flags: FileFlag[] = [];
  for (const [i, flag] of (file.flags ?? []).entries()) {
    const environments: Record<string, FileConfig> = {};
    const entries = Object.entries(flag.environments ?? {});
    if (entries.length > MAX_FILE_ENVIRONMENTS) problems.push({ field: `flags[${i}].environments`, reason: `at most ${MAX_FILE_ENVIRONMENTS} environments` });
    for (const [environment, config] of entries.slice(0, MAX_FILE_ENVIRONMENTS)) {
      const path = `flags[${i}].environments.${environment}`;
      if (!KEY_PATTERN.test(environment) || environment.length > 128) {
        problems.push({ field: path, reason: 'is not an environment key' });
        continue;
      }
      const checked = await checkAs<FileConfigDto>(config, FileConfigDto, path);
      problems.push(...checked.problems);
      if (checked.instance && checked.problems.length === 0) environments[environment] = toFileConfig(checked.instance);
    }
    flags.push(toFileFlag(flag, environments));
  }
  const segments = (file.segments ?? []).map(toFileSegment);
  problems.push(
    ...duplicates(
      flags.map((f) => f.key),
      'flags',
    ),
    ...duplicates(
      segments.map((s) => s.key),
      'segments',
    ),
  );
  if (problems.length > 0) throw validationFailedCapped(problems);
  return { version: FILE_FORMAT_VERSION, ...(file.project ? { project: file.project } : {}), ...(file.prune ? { prune: true } : {}), segments, flags };
};
