import { describe, expect, it } from 'vitest';
import type { ProjectView } from '../../../api/projects';
import { ALL, describeScope, environmentOptions, toggleKey, toNewToken } from './tokenScope';

const env = (key: string, name: string) => ({ key, name, requireChangeReason: false, sdkKeyPrefix: null });
const project = (key: string, environments: ReturnType<typeof env>[]): ProjectView =>
  ({ key, name: key.toUpperCase(), description: '', environments, createdAt: '2026-01-01T00:00:00.000Z' }) as ProjectView;

const projects = [
  project('demo', [env('production', 'Production'), env('staging', 'Staging')]),
  project('ops', [env('production', 'Prod'), env('dr', 'Disaster recovery')]),
];

describe('token scope', () => {
  it('offers the environments of every project for all projects, each key once with its names', () => {
    expect(environmentOptions(projects, ALL)).toEqual([
      { key: 'production', label: 'Production, Prod' },
      { key: 'staging', label: 'Staging' },
      { key: 'dr', label: 'Disaster recovery' },
    ]);
  });

  it('offers only the environments of the chosen projects', () => {
    expect(environmentOptions(projects, { kind: 'only', keys: ['ops'] }).map((o) => o.key)).toEqual(['production', 'dr']);
    expect(environmentOptions(projects, { kind: 'only', keys: [] })).toEqual([]);
  });

  it('sends no limit for "all", and the chosen keys otherwise', () => {
    const offered = environmentOptions(projects, ALL);
    expect(toNewToken({ name: 'pd', access: 'kill-switch', projects: ALL, environments: ALL }, offered)).toEqual({ name: 'pd', access: 'kill-switch' });
    expect(
      toNewToken(
        { name: 'pd', access: 'kill-switch', projects: { kind: 'only', keys: ['demo'] }, environments: { kind: 'only', keys: ['production'] } },
        offered,
      ),
    ).toEqual({ name: 'pd', access: 'kill-switch', projects: ['demo'], environments: ['production'] });
  });

  it('never sends a limit for a role token, whatever was picked before switching to it', () => {
    const offered = environmentOptions(projects, ALL);
    expect(
      toNewToken({ name: 'ci', access: 'editor', projects: { kind: 'only', keys: ['demo'] }, environments: { kind: 'only', keys: ['staging'] } }, offered),
    ).toEqual({
      name: 'ci',
      access: 'editor',
    });
  });

  it('drops a checked environment that no chosen project has', () => {
    const offered = environmentOptions(projects, { kind: 'only', keys: ['ops'] });
    expect(
      toNewToken(
        { name: 'pd', access: 'kill-switch', projects: { kind: 'only', keys: ['ops'] }, environments: { kind: 'only', keys: ['staging', 'dr'] } },
        offered,
      ).environments,
    ).toEqual(['dr']);
  });

  it('toggles keys without duplicates', () => {
    const one = toggleKey(ALL, 'demo', true);
    expect(toggleKey(one, 'demo', true)).toEqual({ kind: 'only', keys: ['demo'] });
    expect(toggleKey(one, 'demo', false)).toEqual({ kind: 'only', keys: [] });
  });

  it('describes a scope for the list; a role token has none', () => {
    expect(describeScope({ access: 'kill-switch', projects: null, environments: ['production', 'staging'] })).toEqual({
      projects: 'all projects',
      environments: 'production, staging',
    });
    expect(describeScope({ access: 'admin', projects: null, environments: null })).toBeNull();
  });
});
