import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { EvaluateAllDto, EvaluateFlagDto } from '../../evaluation/dto/evaluate.dto.js';
import { ArchiveDto, CreateFlagDto, ListFlagsQueryDto, UpdateFlagDto, VariantDto } from '../../flags/dto/flag.dto.js';
import {
  KillDto,
  PatchFlagConfigDto,
  PrerequisiteDto,
  ReplaceFlagConfigDto,
  RestoreDto,
  RolloutDto,
  RuleDto,
  ServeDto,
  TargetDto,
  WeightedVariantDto,
} from '../../flags/dto/flag-config.dto.js';
import { CreateSegmentDto, DeleteSegmentQueryDto, SegmentRuleDto, UpdateSegmentDto } from '../../segments/dto/segment.dto.js';
import { ClauseDto } from '../../targeting/clause.dto.js';
import { EvaluationCountDto, EventsDto, HistogramDto, SampleDto, SeriesDto, TelemetryBatchDto } from '../../telemetry/dto/events.dto.js';
import { EvaluationsQueryDto, SamplesQueryDto, SeriesQueryDto, TimeRangeQueryDto } from '../../telemetry/dto/telemetry-query.dto.js';
import { jsonNestingExceeds, MAX_RAW_JSON_DEPTH, refuseDeepJson } from '../http/json-depth.js';
import { DomainError } from '../errors/domain-error.js';
import { declaredBoundsProblems, INPUT_LIMITS, inputShapeProblems } from './input-bounds.js';

describe('inputShapeProblems', () => {
  it('names the first value past each structural limit', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { a: deep };
    expect(inputShapeProblems({ x: deep })).toEqual([{ field: `x${'.a'.repeat(31)}`, reason: 'is nested more than 32 levels deep' }]);
    expect(inputShapeProblems({ list: Array(INPUT_LIMITS.maxArrayLength + 1).fill(0) })).toEqual([{ field: 'list', reason: 'is an array of more than 100000 elements' }]);
    expect(inputShapeProblems(Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, 1])))).toEqual([{ field: 'body', reason: 'has more than 10000 fields' }]);
    expect(inputShapeProblems({ a: Array(90_000).fill(1), b: Array(90_000).fill(1), c: Array(90_000).fill(1) }, { root: 'query' })).toEqual([{ field: 'query', reason: 'holds more than 250000 values' }]);
  });

  it('accepts everything within the limits, and checks strings only when asked', () => {
    const ok = { list: Array(INPUT_LIMITS.maxArrayLength).fill('a\u0000'), map: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 1])) };
    expect(inputShapeProblems(ok)).toEqual([]);
    const lone = `k${String.fromCharCode(0xd800)}`;
    expect(inputShapeProblems({ s: 'a\u0000', [lone]: 1 }, { strings: true })).toEqual([
      { field: lone, reason: 'field names must not contain U+0000 or unpaired surrogate characters' },
      { field: 's', reason: 'must not contain U+0000 or unpaired surrogate characters' },
    ]);
  });

  it('stops at the first value past maxValues instead of walking the rest', () => {
    const wide = Array.from({ length: 10 }, () => Array(90_000).fill(0));
    const started = performance.now();
    expect(inputShapeProblems({ wide: wide.slice(0, 3), more: wide })).toEqual([{ field: 'body', reason: 'holds more than 250000 values' }]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('declaredBoundsProblems', () => {
  it("refuses an array past its DTO's @ArrayMaxSize without visiting its elements, in class-validator's words", () => {
    const targets = new Proxy(Array(101).fill({}), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) throw new Error('an element was visited');
        return Reflect.get(target, key, receiver);
      },
    });
    expect(declaredBoundsProblems({ targets }, PatchFlagConfigDto)).toEqual([{ field: 'targets', reason: 'targets must contain no more than 100 elements' }]);
  });

  it('checks strings and nested DTOs by their paths', () => {
    const long = (n: number) => 'x'.repeat(n);
    expect(
      declaredBoundsProblems(
        { reason: long(1001), targets: [{ variant: 'on', values: ['ok'] }, { variant: long(129), values: ['ok', long(513)] }], defaultRule: { rollout: { bucketBy: long(257), variants: [] } } },
        PatchFlagConfigDto,
      ),
    ).toEqual([
      { field: 'reason', reason: 'reason must be shorter than or equal to 1000 characters' },
      { field: 'targets[1].variant', reason: 'variant must be shorter than or equal to 128 characters' },
      { field: 'targets[1].values[1]', reason: 'each value in values must be shorter than or equal to 512 characters' },
      { field: 'defaultRule.rollout.bucketBy', reason: 'bucketBy must be shorter than or equal to 256 characters' },
    ]);
    // Surrogate pairs count once, as class-validator counts them.
    expect(declaredBoundsProblems({ variant: '🚀'.repeat(128), values: [] }, TargetDto)).toEqual([]);
    // Wrong types are the validator's to name.
    expect(declaredBoundsProblems({ targets: 'x', rules: { a: 1 }, defaultRule: [1], reason: 7 }, PatchFlagConfigDto)).toEqual([]);
    expect(declaredBoundsProblems([1, 2], PatchFlagConfigDto)).toEqual([]);
    expect(declaredBoundsProblems({ targets: Array(101).fill({}) }, undefined)).toEqual([]);
  });

  it('reads the limits of nested DTOs: a config with 101 rules, a rule with 21 clauses, 5,001 series in a batch', () => {
    expect(declaredBoundsProblems({ rules: Array(101).fill({}) }, PatchFlagConfigDto)).toEqual([{ field: 'rules', reason: 'rules must contain no more than 100 elements' }]);
    expect(declaredBoundsProblems({ rules: [{ clauses: Array(21).fill({}) }] }, ReplaceFlagConfigDto)).toEqual([{ field: 'rules[0].clauses', reason: 'clauses must contain no more than 20 elements' }]);
    expect(declaredBoundsProblems({ batches: [{ series: Array(5001).fill({}) }] }, EventsDto)).toEqual([{ field: 'batches[0].series', reason: 'series must contain no more than 5000 elements' }]);
  });
});

/** Request DTOs of this change's domains: every array and string they take has a size limit. */
const REQUEST_DTOS: Function[] = [
  CreateFlagDto, UpdateFlagDto, VariantDto, ListFlagsQueryDto, ArchiveDto,
  WeightedVariantDto, RolloutDto, ServeDto, RuleDto, TargetDto, PrerequisiteDto, ReplaceFlagConfigDto, PatchFlagConfigDto, KillDto, RestoreDto, ClauseDto,
  SegmentRuleDto, CreateSegmentDto, UpdateSegmentDto, DeleteSegmentQueryDto,
  EventsDto, TelemetryBatchDto, SeriesDto, HistogramDto, EvaluationCountDto, SampleDto, TimeRangeQueryDto, SeriesQueryDto, EvaluationsQueryDto, SamplesQueryDto,
  EvaluateAllDto, EvaluateFlagDto,
];

describe('request DTOs', () => {
  it.each(REQUEST_DTOS.map((dto) => [dto.name, dto] as const))('%s bounds every array and string it takes', (_, dto) => {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    const properties = new Set(metadata.map((m) => m.propertyName));
    const unbounded: string[] = [];
    for (const property of properties) {
      // design:type says Object for `T | null`, so the validators say what the property holds too.
      const type: unknown = Reflect.getMetadata('design:type', dto.prototype, property);
      const own = metadata.filter((m) => m.propertyName === property);
      const has = (name: string, each: boolean) => own.some((m) => m.name === name && Boolean(m.each) === each);
      if ((type === Array || has('isArray', false)) && !has('arrayMaxSize', false)) unbounded.push(`${property}: an array without @ArrayMaxSize`);
      if ((type === String || has('isString', false)) && !has('maxLength', false) && !has('isIn', false)) unbounded.push(`${property}: a string without @MaxLength or @IsIn`);
      if (has('isString', true) && !has('maxLength', true)) unbounded.push(`${property}: strings without @MaxLength({ each: true })`);
    }
    expect(unbounded).toEqual([]);
  });
});

describe('raw JSON nesting', () => {
  it('counts brackets outside strings only', () => {
    expect(jsonNestingExceeds(Buffer.from('{"a":[[1]]}'), 3)).toBe(false);
    expect(jsonNestingExceeds(Buffer.from('{"a":[[[1]]]}'), 3)).toBe(true);
    expect(jsonNestingExceeds(Buffer.from(`{"a":"${'['.repeat(100)}\\"${'{'.repeat(100)}"}`), 3)).toBe(false);
    expect(jsonNestingExceeds(Buffer.from(`["\\\\",[[[1]]]]`), 3)).toBe(true);
    expect(jsonNestingExceeds(Buffer.from(`{"ключ🚀":[{"x":"]]]]"}]}`), 3)).toBe(false);
  });

  it('refuses a body-parser body nested past the raw limit as a 400 naming the documented limit', () => {
    expect(() => refuseDeepJson(undefined, undefined, Buffer.from(`${'['.repeat(MAX_RAW_JSON_DEPTH)}${']'.repeat(MAX_RAW_JSON_DEPTH)}`))).not.toThrow();
    let thrown: unknown;
    try {
      refuseDeepJson(undefined, undefined, Buffer.from(`${'['.repeat(MAX_RAW_JSON_DEPTH + 1)}${']'.repeat(MAX_RAW_JSON_DEPTH + 1)}`));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, details: [{ field: 'body', reason: 'is nested more than 32 levels deep' }] });
  });
});
