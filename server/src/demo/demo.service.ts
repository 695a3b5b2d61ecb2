import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { Actor } from '../auth/principal.js';
import { Database, LOCKS } from '../database/database.service.js';
import { FlagsService } from '../flags/flags.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import { SegmentsService } from '../segments/segments.service.js';
import { type EditableFlagConfig, replaceConfig } from '../flags/flag-config-change.js';
import { KillSwitchService } from '../kill-switch/kill-switch.service.js';

const DEMO_ACTOR: Actor = { type: 'system', id: null, name: 'demo-setup' };
const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
const REASON = 'demo project setup';

const config = (overrides: Partial<EditableFlagConfig>): EditableFlagConfig => ({
  on: true,
  offVariant: 'off',
  targets: [],
  rules: [],
  defaultRule: { variant: 'on' },
  prerequisites: [],
  ...overrides,
});

/** On an empty database, a project from the pipeline world, so a new user sees something real. */
@Injectable()
export class DemoService implements OnApplicationBootstrap {
  private readonly logger = new Logger('demo');

  constructor(
    private readonly projects: ProjectsService,
    private readonly segments: SegmentsService,
    private readonly flags: FlagsService,
    private readonly killSwitch: KillSwitchService,
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.appConfig.demo) return;
    // Instances starting together on a new database: only the first seeds the demo.
    const sdkKeys = await this.db.exclusively(LOCKS.seeding, async () => ((await this.projects.count()) > 0 ? undefined : this.seed()));
    if (!sdkKeys) return;
    process.stdout.write(
      `\n  Signalbox created the demo project "demo". SDK keys (shown only this once):\n${Object.entries(sdkKeys)
        .map(([env, key]) => `    ${env.padEnd(12)} ${key}`)
        .join('\n')}\n\n`,
    );
    this.logger.log('created the demo project');
  }

  async seed(): Promise<Record<string, string>> {
    const { sdkKeys } = await this.projects.create(DEMO_ACTOR, {
      key: 'demo',
      name: 'Pipelines demo',
      description: 'ETL steps and model versions behind flags',
      environments: [
        { key: 'development', name: 'Development' },
        { key: 'staging', name: 'Staging' },
        { key: 'production', name: 'Production', requireChangeReason: true },
      ],
    });
    await this.segments.create(DEMO_ACTOR, 'demo', {
      key: 'prod-pipelines',
      name: 'Production pipelines',
      description: 'Runs of the pipelines that feed production tables',
      rules: [{ clauses: [{ attribute: 'pipeline', op: 'startsWith', values: ['prod-'] }] }],
    });
    await this.segments.create(DEMO_ACTOR, 'demo', {
      key: 'beta-testers',
      name: 'Beta testers',
      description: 'Teams that try new model versions first',
      included: ['team-search', 'team-recs'],
      rules: [{ clauses: [{ attribute: 'email', op: 'endsWith', values: ['@beta.example.com'] }] }],
    });
    const flags = [
      {
        key: 'etl.use-new-transformer',
        name: 'Use the new transformer',
        description: 'Transform step v2 for half of the runs, bucketed by run',
        tags: ['etl'],
        owner: 'data-platform',
      },
      {
        key: 'etl.enable-data-validation',
        name: 'Validate data before load',
        description: 'Great-expectations style checks before the load step',
        tags: ['etl', 'quality'],
        owner: 'data-platform',
        lifecycle: 'permanent' as const,
      },
      {
        key: 'etl.send-notifications',
        name: 'Send run notifications',
        description: 'Slack messages when a production pipeline finishes',
        tags: ['etl'],
        owner: 'data-platform',
      },
      {
        key: 'ops.gpu-processing',
        name: 'GPU processing',
        description: 'Run embedding steps on the GPU pool',
        tags: ['gpu', 'ops'],
        owner: 'ml-infra',
        lifecycle: 'permanent' as const,
      },
    ];
    for (const flag of flags) await this.flags.create(DEMO_ACTOR, 'demo', { ...flag, kind: 'boolean' });
    await this.flags.create(DEMO_ACTOR, 'demo', {
      key: 'model.sentiment',
      name: 'Sentiment model version',
      description: 'Which sentiment model serves predictions',
      kind: 'string',
      tags: ['model'],
      owner: 'ml-team',
      variants: [
        { key: 'v1', value: 'sentiment-v1', name: 'Current model' },
        { key: 'v2', value: 'sentiment-v2', name: 'Retrained on 2026 data' },
        { key: 'v3', value: 'sentiment-v3', name: 'Distilled transformer' },
      ],
      offVariant: 'v1',
      onVariant: 'v1',
    });
    for (const env of ENVIRONMENTS) {
      const set = (key: string, value: EditableFlagConfig) =>
        this.flags.changeConfig(
          DEMO_ACTOR,
          { projectKey: 'demo', flagKey: key, environmentKey: env },
          replaceConfig(value, { reason: REASON, basedOnVersion: 0 }),
        );
      await set(
        'etl.use-new-transformer',
        config({
          defaultRule: {
            rollout: {
              bucketBy: 'runId',
              variants: [
                { variant: 'on', weight: 50_000 },
                { variant: 'off', weight: 50_000 },
              ],
            },
          },
        }),
      );
      await set('etl.enable-data-validation', config({}));
      await set(
        'etl.send-notifications',
        config({
          rules: [{ description: 'production pipelines', clauses: [{ op: 'segment', segments: ['prod-pipelines'] }], serve: { variant: 'on' } }],
          defaultRule: { variant: 'off' },
        }),
      );
      await set('ops.gpu-processing', config({}));
      await set(
        'model.sentiment',
        config({
          offVariant: 'v1',
          rules: [{ description: 'beta testers try v3', clauses: [{ op: 'segment', segments: ['beta-testers'] }], serve: { variant: 'v3' } }],
          defaultRule: {
            rollout: {
              variants: [
                { variant: 'v1', weight: 80_000 },
                { variant: 'v2', weight: 20_000 },
              ],
            },
          },
        }),
      );
      await this.killSwitch.kill(
        DEMO_ACTOR,
        { projectKey: 'demo', flagKey: 'ops.gpu-processing', environmentKey: env },
        'GPU nodes run out of memory on large batches (INC-4821)',
      );
    }
    return sdkKeys;
  }
}
