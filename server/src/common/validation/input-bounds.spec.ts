import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { EvaluateAllDto, EvaluateFlagDto } from '../../evaluation/dto/evaluate.dto.js';
import { ArchiveDto, CreateFlagDto, ListFlagsQueryDto, UpdateFlagDto, VariantDto } from '../../flags/dto/flag.dto.js';
import {
  PatchFlagConfigDto,
  PrerequisiteDto,
  ReplaceFlagConfigDto,
  RolloutDto,
  RuleDto,
  ServeDto,
  TargetDto,
  WeightedVariantDto,
} from '../../flags/dto/flag-config.dto.js';
import { KillDto, RestoreDto } from '../../kill-switch/dto/kill-switch.dto.js';
import { CreateSegmentDto, DeleteSegmentQueryDto, SegmentRuleDto, UpdateSegmentDto } from '../../segments/dto/segment.dto.js';
import { ClauseDto } from '../../targeting/clause.dto.js';
import { EvaluationCountDto, EventsDto, HistogramDto, SampleDto, SeriesDto, TelemetryBatchDto } from '../../telemetry/dto/events.dto.js';
import { EvaluationsQueryDto, SamplesQueryDto, SeriesQueryDto, TimeRangeQueryDto } from '../../telemetry/dto/telemetry-query.dto.js';
import { jsonNestingExceeds, MAX_RAW_JSON_DEPTH, refuseDeepJson } from '../http/json-depth.js';
import { DomainError } from '../errors/domain-error.js';
import { declaredBoundsProblems, type DtoClass, INPUT_LIMITS, inputShapeProblems, removeUnknownFields } from './input-bounds.js';
import { createValidationPipe } from './validation-pipe.js';

/** An array whose elements throw when read: proof that whoever was handed it judged it by its size alone. */
const untouchable = (length: number): unknown[] =>
  new Proxy(Array(length).fill({}), {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) throw new Error('an element was visited');
      return Reflect.get(target, key, receiver);
    },
  });

describe('inputShapeProblems', () => {
  it('names the first value past each structural limit', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { a: deep };
    expect(inputShapeProblems({ x: deep })).toEqual([{ field: `x${'.a'.repeat(31)}`, reason: 'is nested more than 32 levels deep' }]);
    expect(inputShapeProblems({ list: Array(INPUT_LIMITS.maxArrayLength + 1).fill(0) })).toEqual([
      { field: 'list', reason: 'is an array of more than 100000 elements' },
    ]);
    expect(inputShapeProblems(Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, 1])))).toEqual([
      { field: 'body', reason: 'has more than 10000 fields' },
    ]);
    expect(inputShapeProblems({ a: Array(90_000).fill(1), b: Array(90_000).fill(1), c: Array(90_000).fill(1) }, { root: 'query' })).toEqual([
      { field: 'query', reason: 'holds more than 250000 values' },
    ]);
  });

  it('accepts everything within the limits, and checks strings only when asked', () => {
    const ok = { list: Array(INPUT_LIMITS.maxArrayLength).fill('a\u0000'), map: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 1])) };
    expect(inputShapeProblems(ok)).toEqual([]);
    const lone = `k${String.fromCharCode(0xd800)}`;
    expect(inputShapeProblems({ s: 'a\u0000', [lone]: 1 }, { strings: true })).toEqual([
      { field: 's', reason: 'must not contain U+0000 or unpaired surrogate characters' },
      { field: lone, reason: 'field names must not contain U+0000 or unpaired surrogate characters' },
    ]);
    expect(inputShapeProblems([{ deep: ['ok', '\u0000'] }], { strings: true, root: 'context' })).toEqual([
      { field: 'context[0].deep[1]', reason: 'must not contain U+0000 or unpaired surrogate characters' },
    ]);
    expect(inputShapeProblems('\u0000', { strings: true, root: 'key' })).toEqual([
      { field: 'key', reason: 'must not contain U+0000 or unpaired surrogate characters' },
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
        {
          reason: long(1001),
          targets: [
            { variant: 'on', values: ['ok'] },
            { variant: long(129), values: ['ok', long(513)] },
          ],
          defaultRule: { rollout: { bucketBy: long(257), variants: [] } },
        },
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
    // Wrong types are the validator's to name, except a container where one string belongs and an
    // array where one nested object belongs (class-validator would name each of its elements).
    expect(declaredBoundsProblems({ targets: 'x', rules: { a: 1 }, defaultRule: 1, reason: 7 }, PatchFlagConfigDto)).toEqual([]);
    expect(declaredBoundsProblems({ reason: untouchable(250_000) }, PatchFlagConfigDto)).toEqual([{ field: 'reason', reason: 'reason must be a string' }]);
    expect(declaredBoundsProblems({ defaultRule: untouchable(250_000) }, PatchFlagConfigDto)).toEqual([
      { field: 'defaultRule', reason: 'defaultRule must be an object' },
    ]);
    expect(declaredBoundsProblems({ rules: [{ serve: untouchable(75_000), clauses: [] }] }, PatchFlagConfigDto)).toEqual([
      { field: 'rules[0].serve', reason: 'serve must be an object' },
    ]);
    // An array where a list's object belongs: class-validator would validate its elements and let it through (a 500 below).
    expect(declaredBoundsProblems({ rules: [{ clauses: [] }, []] }, PatchFlagConfigDto)).toEqual([
      { field: 'rules[1]', reason: 'each value in rules must be an object' },
    ]);
    expect(declaredBoundsProblems({ targets: [{ variant: { a: 1 }, values: [] }] }, PatchFlagConfigDto)).toEqual([
      { field: 'targets[0].variant', reason: 'variant must be a string' },
    ]);
    expect(declaredBoundsProblems([1, 2], PatchFlagConfigDto)).toEqual([]);
    expect(declaredBoundsProblems({ targets: Array(101).fill({}) }, undefined)).toEqual([]);
  });

  it('reads the limits of nested DTOs: a config with 101 rules, a rule with 21 clauses, 5,001 series in a batch', () => {
    expect(declaredBoundsProblems({ rules: Array(101).fill({}) }, PatchFlagConfigDto)).toEqual([
      { field: 'rules', reason: 'rules must contain no more than 100 elements' },
    ]);
    expect(declaredBoundsProblems({ rules: [{ clauses: Array(21).fill({}) }] }, ReplaceFlagConfigDto)).toEqual([
      { field: 'rules[0].clauses', reason: 'clauses must contain no more than 20 elements' },
    ]);
    expect(declaredBoundsProblems({ batches: [{ series: Array(5001).fill({}) }] }, EventsDto)).toEqual([
      { field: 'batches[0].series', reason: 'series must contain no more than 5000 elements' },
    ]);
  });
});

const refusal = async (work: Promise<unknown>): Promise<{ message: string; details: unknown }> => {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return { message: (err as DomainError).message, details: (err as DomainError).details };
};

describe('removeUnknownFields', () => {
  it('removes fields no DTO declares, at every level of nested DTOs, naming each as the whitelist does', () => {
    const body: Record<string, unknown> = {
      version: 1,
      extra: [1, 2],
      rules: [{ clauses: [{ attribute: 'a', op: 'in', values: ['x'], stray: 1 }], serve: { variant: 'on', odd: {} } }],
      __proto__x: 1,
    };
    expect(removeUnknownFields(body, PatchFlagConfigDto)).toEqual([
      { field: 'extra', reason: 'is not a known field' },
      { field: '__proto__x', reason: 'is not a known field' },
      { field: 'rules[0].clauses[0].stray', reason: 'is not a known field' },
      { field: 'rules[0].serve.odd', reason: 'is not a known field' },
    ]);
    expect(body).toEqual({ version: 1, rules: [{ clauses: [{ attribute: 'a', op: 'in', values: ['x'] }], serve: { variant: 'on' } }] });
  });

  it('leaves classes without rules, and inputs that are not objects, alone', () => {
    const body = { anything: [1] };
    expect(removeUnknownFields(body, Object)).toEqual([]);
    expect(removeUnknownFields(body, undefined)).toEqual([]);
    expect(removeUnknownFields([{ anything: 1 }], ArchiveDto)).toEqual([]);
    expect(body).toEqual({ anything: [1] });
  });
});

describe('the validation pipe', () => {
  const pipe = createValidationPipe();

  // A 100,000-element array under a name the DTO does not have was copied by class-transformer
  // and walked by class-validator before the 400: 110–130 ms of event loop per request.
  it('refuses an unknown field without reading it, and still reports every other problem', async () => {
    const { details } = await refusal(pipe.transform({ reason: 7, huge: untouchable(100_000) }, { type: 'body', metatype: ArchiveDto, data: '' }));
    expect(details).toEqual([
      { field: 'huge', reason: 'is not a known field' },
      // A number for a string: its type is the problem, not also its length.
      { field: 'reason', reason: 'reason must be a string' },
    ]);
    const alone = await refusal(pipe.transform({ huge: untouchable(100_000) }, { type: 'body', metatype: ArchiveDto, data: '' }));
    expect(alone).toEqual({ message: 'huge: is not a known field', details: [{ field: 'huge', reason: 'is not a known field' }] });
  });

  it('refuses a body that is not a JSON object for a DTO without reading its elements', async () => {
    expect(await refusal(pipe.transform(untouchable(100_000), { type: 'body', metatype: ArchiveDto, data: '' }))).toEqual({
      message: 'body: must be a JSON object',
      details: [{ field: 'body', reason: 'must be a JSON object' }],
    });
    expect((await refusal(pipe.transform('text', { type: 'body', metatype: ArchiveDto, data: '' }))).details).toEqual([
      { field: 'body', reason: 'must be a JSON object' },
    ]);
    // Free-form bodies (a trigger's payload) are not a DTO's to judge.
    expect(await pipe.transform([1, 2], { type: 'body', metatype: Object, data: '' })).toEqual([1, 2]);
  });

  // class-transformer copied plain JSON element by element: a 140,000-value context held the event
  // loop 110–250 ms. Now such values reach the DTO as sent, and are still validated.
  it('hands plain JSON values to the DTO as sent, without copying them, at any level of nesting', async () => {
    const context = { targetingKey: 'run-1', rows: Array(1000).fill(0), nested: { deep: [{ a: 1 }] } };
    const evaluate = (await pipe.transform({ context }, { type: 'body', metatype: EvaluateAllDto, data: '' })) as EvaluateAllDto;
    expect(evaluate).toBeInstanceOf(EvaluateAllDto);
    expect(evaluate.context).toBe(context);

    const model = { layers: [64, 32], dropout: 0.1 };
    const flag = (await pipe.transform(
      {
        key: 'model.router',
        name: 'Model',
        kind: 'json',
        variants: [
          { key: 'v1', value: model },
          { key: 'v2', value: [1, 2] },
        ],
        tags: ['ml'],
      },
      { type: 'body', metatype: CreateFlagDto, data: '' },
    )) as CreateFlagDto;
    expect(flag.variants![0]).toBeInstanceOf(VariantDto);
    expect(flag.variants![0]!.value).toBe(model);
    expect(flag.variants![1]!.value).toEqual([1, 2]);
    expect(flag.tags).toEqual(['ml']);
  });

  it('still judges the values it did not copy', async () => {
    expect((await refusal(pipe.transform({ context: [1, 2] }, { type: 'body', metatype: EvaluateAllDto, data: '' }))).details).toEqual([
      { field: 'context', reason: 'context must be an object of attributes' },
    ]);
    expect((await refusal(pipe.transform({ reason: Array(60_000).fill({}) }, { type: 'body', metatype: ArchiveDto, data: '' }))).details).toContainEqual({
      field: 'reason',
      reason: 'reason must be a string',
    });
    expect(
      (
        await refusal(
          pipe.transform(
            { key: 'f', name: 'F', kind: 'json', variants: [{ key: 'v1' }, { key: 'v2', value: {}, name: 7 }] },
            { type: 'body', metatype: CreateFlagDto, data: '' },
          ),
        )
      ).details,
    ).toEqual(
      expect.arrayContaining([
        { field: 'variants[0].value', reason: 'value is required' },
        { field: 'variants[1].name', reason: 'name must be a string' },
      ]),
    );
    // A transform the DTO declares still runs on the query.
    expect(await pipe.transform({ stale: 'true' }, { type: 'query', metatype: ListFlagsQueryDto, data: '' })).toEqual(
      Object.assign(new ListFlagsQueryDto(), { stale: true }),
    );
  });

  it('refuses unknown query fields the same way', async () => {
    expect((await refusal(pipe.transform({ limit: '5', nope: 'x' }, { type: 'query', metatype: ListFlagsQueryDto, data: '' }))).details).toContainEqual({
      field: 'nope',
      reason: 'is not a known field',
    });
  });
});

/** Request DTOs of this change's domains: every array and string they take has a size limit. */
const REQUEST_DTOS: DtoClass[] = [
  CreateFlagDto,
  UpdateFlagDto,
  VariantDto,
  ListFlagsQueryDto,
  ArchiveDto,
  WeightedVariantDto,
  RolloutDto,
  ServeDto,
  RuleDto,
  TargetDto,
  PrerequisiteDto,
  ReplaceFlagConfigDto,
  PatchFlagConfigDto,
  KillDto,
  RestoreDto,
  ClauseDto,
  SegmentRuleDto,
  CreateSegmentDto,
  UpdateSegmentDto,
  DeleteSegmentQueryDto,
  EventsDto,
  TelemetryBatchDto,
  SeriesDto,
  HistogramDto,
  EvaluationCountDto,
  SampleDto,
  TimeRangeQueryDto,
  SeriesQueryDto,
  EvaluationsQueryDto,
  SamplesQueryDto,
  EvaluateAllDto,
  EvaluateFlagDto,
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
      if ((type === String || has('isString', false)) && !has('maxLength', false) && !has('isIn', false))
        unbounded.push(`${property}: a string without @MaxLength or @IsIn`);
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
