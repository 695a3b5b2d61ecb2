import { describe, expect, it } from 'vitest';
import type { FlagView } from '../flags/flag.mapper.js';
import { canonical, planFile, type ProjectState } from './file-plan.js';
import { parseFileText, readSignalboxFile } from './file-validation.js';
import type { SignalboxFile } from './signalbox-file.js';

const config = (version: number, on: boolean) => ({
  environment: 'staging',
  on,
  killed: false,
  kill: null,
  offVariant: 'off',
  targets: [],
  rules: [],
  defaultRule: { variant: 'on' },
  prerequisites: [],
  version,
  updatedAt: null,
});

const flag = (key: string, archived = false): FlagView => ({
  key,
  name: key,
  description: '',
  owner: null,
  tags: [],
  kind: 'boolean',
  variants: [
    { key: 'on', value: true },
    { key: 'off', value: false },
  ],
  lifecycle: 'temporary',
  expiresAt: null,
  archived,
  archivedAt: null,
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  environments: { staging: config(3, false) },
});

const state: ProjectState = { key: 'p', environments: ['staging'], flags: [flag('a'), flag('gone'), flag('old', true)], segments: [] };

const fileWith = (on: boolean, baseVersion?: number): SignalboxFile => ({
  version: 1,
  segments: [],
  flags: [
    {
      key: 'a',
      baseVersion: 1,
      name: 'a',
      kind: 'boolean',
      variants: flag('a').variants,
      environments: {
        staging: {
          ...(baseVersion !== undefined ? { baseVersion } : {}),
          on,
          offVariant: 'off',
          targets: [],
          rules: [],
          defaultRule: { variant: 'on' },
          prerequisites: [],
        },
      },
    },
  ],
});

describe('planFile', () => {
  it('plans nothing for a file equal to the project, whatever its base versions', () => {
    expect(planFile(fileWith(false, 1), state, false)).toEqual({ changes: [], conflicts: [], problems: [] });
  });

  it('plans an update based on the current version, and a conflict when the base moved or is missing', () => {
    const current = planFile(fileWith(true, 3), state, false);
    expect(current.conflicts).toEqual([]);
    expect(current.changes).toEqual([
      expect.objectContaining({ resource: 'config', action: 'update', key: 'a', environment: 'staging', version: 3, fields: ['on'] }),
    ]);
    expect(planFile(fileWith(true, 2), state, false).conflicts).toEqual([
      expect.objectContaining({ key: 'a', environment: 'staging', baseVersion: 2, currentVersion: 3, path: 'flags[0].environments.staging' }),
    ]);
    expect(planFile(fileWith(true), state, false).conflicts).toEqual([expect.objectContaining({ baseVersion: null, currentVersion: 3 })]);
  });

  it('archives unlisted active flags only with prune', () => {
    expect(planFile(fileWith(false, 3), state, false).changes).toEqual([]);
    expect(planFile(fileWith(false, 3), state, true).changes).toEqual([expect.objectContaining({ resource: 'flag', action: 'archive', key: 'gone' })]);
  });

  it('names config problems by their path in the file', () => {
    const file = fileWith(true, 3);
    file.flags[0]!.environments.staging!.defaultRule = { variant: 'maybe' };
    expect(planFile(file, state, false).problems).toEqual([
      { field: 'flags[0].environments.staging.defaultRule.variant', reason: "variant 'maybe' does not exist in this flag" },
    ]);
  });

  it('compares objects whatever their key order', () => {
    expect(canonical({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(canonical({ a: [{ c: 2, d: 1 }], b: 1 }));
  });
});

describe('reading a file', () => {
  it('refuses deep nesting and alias bombs before they cost anything', () => {
    const started = Date.now();
    expect(() => parseFileText(`a: ${'['.repeat(10_000)}`)).toThrow(/nested too deeply/);
    expect(() => parseFileText(`a:\n${' '.repeat(300)}b: 1`)).toThrow(/nested too deeply/);
    let bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 0, prev = 'a'; i < 9; prev = `b${i}`, i++) bomb += `b${i}: &b${i} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    expect(() => parseFileText(bomb)).toThrow(/alias/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses duplicate keys, in YAML mappings and in lists of flags', async () => {
    expect(() => parseFileText('version: 1\nversion: 1\n')).toThrow(/not valid YAML/);
    const flagA = { key: 'a', name: 'A', kind: 'boolean', variants: [{ key: 'on', value: true }] };
    await expect(readSignalboxFile({ version: 1, flags: [flagA, flagA] })).rejects.toMatchObject({
      details: [{ field: 'flags[1].key', reason: "'a' is listed twice" }],
    });
  });

  it('reads JSON text as well as YAML, to the same file', async () => {
    const json = { version: 1, flags: [{ key: 'a', name: 'A', kind: 'boolean', variants: [{ key: 'on', value: true }], environments: {} }] };
    const yaml = 'version: 1\nflags:\n  - key: a\n    name: A\n    kind: boolean\n    variants: [{ key: "on", value: true }]\n    environments: {}\n';
    expect(await readSignalboxFile(JSON.stringify(json))).toEqual(await readSignalboxFile(yaml));
  });
});
