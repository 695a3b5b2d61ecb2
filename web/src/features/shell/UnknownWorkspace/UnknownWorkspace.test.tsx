import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { ProjectView } from '../../../api/projects';
import { UnknownWorkspace } from './UnknownWorkspace';

const demo = {
  key: 'demo',
  name: 'Pipelines demo',
  environments: [
    { key: 'staging', name: 'Staging' },
    { key: 'production', name: 'Production' },
  ],
} as ProjectView;

const renderAt = (projectKey: string, envKey: string) =>
  render(
    <MemoryRouter>
      <UnknownWorkspace projects={[demo]} projectKey={projectKey} envKey={envKey} />
    </MemoryRouter>,
  );

describe('UnknownWorkspace', () => {
  it('names the unknown environment and links to the project’s environments', () => {
    renderAt('demo', 'prodution');
    expect(screen.getByRole('heading').textContent).toBe('No environment “prodution” in project “Pipelines demo”');
    expect(screen.getByRole('link', { name: 'Staging' }).getAttribute('href')).toBe('/demo/staging/flags');
    expect(screen.getByRole('link', { name: 'Production' }).getAttribute('href')).toBe('/demo/production/flags');
  });

  it('names the unknown project and links to the projects', () => {
    renderAt('dmeo', 'production');
    expect(screen.getByRole('heading').textContent).toBe('No project “dmeo”');
    expect(screen.getByRole('link', { name: 'Pipelines demo' }).getAttribute('href')).toBe('/demo/production/flags');
  });
});
