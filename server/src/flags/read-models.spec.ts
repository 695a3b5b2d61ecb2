import 'reflect-metadata';
import { Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { AppModule } from '../app.module.js';
import { AuditService } from '../audit/audit.service.js';
import { ChangesService } from '../changes/changes.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { loadConfig } from '../config/config.js';
import { Database } from '../database/database.service.js';
import { StaleFlagsReadModel } from '../lifecycle/stale-flags.read-model.js';
import { ProjectsService } from '../projects/projects.service.js';
import { SegmentsRepository } from '../segments/segments.repository.js';
import { SegmentsService } from '../segments/segments.service.js';
import { FlagsRepository } from './flags.repository.js';
import { FlagsService } from './flags.service.js';
import { SegmentUsageReadModel } from './segment-usage.read-model.js';

// Which flags use a segment, and which flags are stale, are answered by read models that the
// services receive through their constructors: wiring left out is an error when the server starts,
// never a silent "no flag uses it" that lets a used segment be deleted.

const quiet = { logger: false, abortOnError: false } as const;

/** What SegmentsService needs besides the read model, as in-memory stand-ins: one project with one segment. */
const segmentsWorld = () => {
  const segment = {
    id: 's1',
    projectId: 'p1',
    key: 'beta',
    name: 'Beta',
    description: '',
    included: [],
    excluded: [],
    rules: [],
    version: 1,
    updatedAt: new Date(),
  };
  const deleted: string[] = [];
  return {
    deleted,
    providers: [
      {
        provide: SegmentsRepository,
        useValue: {
          findForUpdate: async (_: string, key: string) => (key === segment.key ? segment : null),
          delete: async (id: string) => void deleted.push(id),
        },
      },
      { provide: ProjectsService, useValue: { project: async () => ({ id: 'p1', key: 'pipelines' }), environments: async () => [] } },
      { provide: ChangesService, useValue: { append: async () => 1 } },
      { provide: AuditService, useValue: { record: async () => undefined } },
      { provide: Database, useValue: { transaction: <T>(work: () => Promise<T>) => work() } },
    ],
  };
};

const moduleWith = (providers: unknown[]): Type => {
  class Only {}
  Module({ providers: providers as never })(Only);
  return Only;
};

describe('read models as constructor dependencies', () => {
  it('the application module graph provides both read models to the services that ask them', async () => {
    // Preview: the whole graph is resolved (a missing provider throws) and nothing is instantiated, so no database is needed.
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(loadConfig({ LOG_LEVEL: 'silent', SIGNALBOX_DEMO: 'false' })), {
      ...quiet,
      preview: true,
    });
    try {
      expect(app.get(SegmentsService)).toBeDefined();
      expect(app.get(SegmentUsageReadModel, { strict: false })).toBeDefined();
      expect(app.get(FlagsService)).toBeDefined();
      expect(app.get(StaleFlagsReadModel, { strict: false })).toBeDefined();
    } finally {
      await app.close();
    }
  });

  it('SegmentsService cannot be created without the segment-usage read model', async () => {
    await expect(NestFactory.createApplicationContext(moduleWith([SegmentsService, ...segmentsWorld().providers]), quiet)).rejects.toThrow(
      /SegmentUsageReadModel/,
    );
  });

  it('FlagsService cannot be created without the stale-flag read model', async () => {
    const others = [FlagsRepository, ProjectsService, SegmentsService, ChangesService, AuditService, Database, DomainEvents].map((provide) => ({
      provide,
      useValue: {},
    }));
    await expect(NestFactory.createApplicationContext(moduleWith([FlagsService, ...others]), quiet)).rejects.toThrow(/StaleFlagsReadModel/);
  });

  it('refuses to delete a segment the read model says flags use, naming them, and deletes it once none does', async () => {
    const world = segmentsWorld();
    let users = ['etl.send-notifications'];
    const usage = { provide: SegmentUsageReadModel, useValue: { flagsUsing: async () => users } };
    const app = await NestFactory.createApplicationContext(moduleWith([SegmentsService, usage, ...world.providers]), quiet);
    try {
      const segments = app.get(SegmentsService);
      const refused = await segments.delete({ type: 'system', id: null, name: 'test' }, 'pipelines', 'beta').catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(DomainError);
      expect(refused).toMatchObject({ code: 'CONFLICT', details: { flags: ['etl.send-notifications'] } });
      expect(world.deleted).toEqual([]);
      users = [];
      await segments.delete({ type: 'system', id: null, name: 'test' }, 'pipelines', 'beta');
      expect(world.deleted).toEqual(['s1']);
    } finally {
      await app.close();
    }
  });
});
