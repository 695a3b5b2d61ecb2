import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ChangesService } from '../changes/changes.service.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { CHANNELS } from '../database/database-target.js';
import { NotificationsService } from '../database/notifications.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import { RECONCILE_MS } from './change-relay.service.js';
import { changeOfNotice, rolloutNotice } from './console-notice.js';
import { audienceOf, type ConsoleChange } from './console.messages.js';
import { LogPump, type PumpRead } from './log-pump.js';

/** How many log entries one read takes; a longer backlog is read in several. */
const PAGE = 1000;

/** One environment some console watches, and how far its change log has been relayed to consoles. */
interface WatchedEnvironment {
  id: string;
  projectKey: string;
  environmentKey: string;
  relayed: number;
  pump: LogPump;
}

interface WatchedProject {
  id: string;
  watchers: number;
  environments: Set<string>;
}

export interface ConsoleSink {
  changed(change: ConsoleChange): void;
  /** Changes may have been missed: every console should refetch what it shows. */
  resync(): void;
}

/**
 * What consoles hear, from two sources:
 * - the change log: for every project a console watches, it reads each environment's log from
 *   where it got to and names each entry (kind, key, sequence) — not its payload, which consoles
 *   fetch through the API. It hears the same `change.appended` wake-ups as the SDK relay and, like
 *   the relay, compares with the log's heads on a timer, so a lost notification delays a change,
 *   never drops it. It is not an SDK subscriber of the relay: consoles must not count as connected SDKs.
 * - the console channel: every audited change (flags created or archived, rollout plans paused,
 *   users, tokens, webhooks, ...) and every rollout step is announced by a NOTIFY on commit, which
 *   every instance hears, this one included. A lost LISTEN session makes consoles resync.
 */
@Injectable()
export class ConsoleService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('console-feed');
  private readonly projects = new Map<string, WatchedProject>();
  private readonly environments = new Map<string, WatchedEnvironment>();
  /** Environments that appeared after their project was first watched, being looked up. */
  private readonly lookingUp = new Set<string>();
  private readonly unsubscribe: Array<() => void>;
  private sink: ConsoleSink | undefined;
  private reconciler: NodeJS.Timeout | undefined;
  private reconciling = false;

  constructor(
    private readonly changes: ChangesService,
    private readonly projectsService: ProjectsService,
    private readonly notifications: NotificationsService,
    events: DomainEvents,
  ) {
    this.unsubscribe = [
      events.on('change.appended', ({ environmentId, sequence }) => this.appended(environmentId, sequence)),
      events.on('changes.lost', () => {
        this.environments.forEach((environment) => environment.pump.wake());
        this.sink?.resync();
      }),
      notifications.on(CHANNELS.console, (payload) => {
        const change = changeOfNotice(payload);
        if (change) this.emit(change);
      }),
      // A rollout step is not always audited (a plan aborted before its first stage changes no
      // config): it is announced in its own transaction, so every instance hears it on commit.
      events.onCommitting('rollout.advanced', (e) => this.notifications.notify(CHANNELS.console, rolloutNotice(e, 'rollout.advanced'))),
      events.onCommitting('rollout.rolled_back', (e) => this.notifications.notify(CHANNELS.console, rolloutNotice(e, 'rollout.rolled_back'))),
    ];
  }

  onModuleInit(): void {
    this.reconciler = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.reconciler.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.reconciler);
    this.unsubscribe.forEach((off) => off());
  }

  /** The gateway registers where messages go. */
  registerSink(sink: ConsoleSink): void {
    this.sink = sink;
  }

  /**
   * Starts relaying a project's changes (counted: every watch needs its own `unwatch`). Resolves
   * with the project's environment keys; rejects with NOT_FOUND for an unknown project.
   */
  async watch(projectKey: string): Promise<string[]> {
    const project = await this.projectsService.project(projectKey);
    const environments = await this.projectsService.environments(project.id);
    const heads = await this.changes.heads(environments.map((e) => e.id));
    const watched = this.projects.get(projectKey) ?? { id: project.id, watchers: 0, environments: new Set<string>() };
    this.projects.set(projectKey, watched);
    watched.watchers++;
    for (const environment of environments) this.track(watched, environment.id, projectKey, environment.key, heads.get(environment.id) ?? 0);
    return environments.map((e) => e.key);
  }

  unwatch(projectKey: string): void {
    const watched = this.projects.get(projectKey);
    if (!watched || --watched.watchers > 0) return;
    this.projects.delete(projectKey);
    watched.environments.forEach((id) => this.environments.delete(id));
  }

  private track(project: WatchedProject, id: string, projectKey: string, environmentKey: string, head: number): void {
    project.environments.add(id);
    if (this.environments.has(id)) return;
    const environment: WatchedEnvironment = {
      id,
      projectKey,
      environmentKey,
      relayed: head,
      pump: new LogPump(
        () => this.relayPage(environment),
        // The next reconciliation tries again.
        (err) => this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, `reading the change log of ${id} for consoles failed`),
      ),
    };
    this.environments.set(id, environment);
  }

  private appended(environmentId: string, sequence: number): void {
    const environment = this.environments.get(environmentId);
    if (environment) {
      if (sequence > environment.relayed) environment.pump.wake();
    } else if (this.projects.size > 0) void this.adopt(environmentId, sequence);
  }

  // A log entry of an environment nobody tracks: an environment created in a watched project after
  // the watch began. Its earlier entries were written before any console could have shown it.
  private async adopt(environmentId: string, sequence: number): Promise<void> {
    if (this.lookingUp.has(environmentId)) return;
    this.lookingUp.add(environmentId);
    try {
      const found = await this.projectsService.environmentById(environmentId);
      const watched = found && this.projects.get(found.project.key);
      if (!found || !watched || this.environments.has(environmentId)) return;
      this.track(watched, environmentId, found.project.key, found.environment.key, sequence - 1);
      this.emit({ project: found.project.key, environment: null, kind: 'environment', key: found.environment.key, sequence: null, action: null });
      this.environments.get(environmentId)!.pump.wake();
    } catch (err) {
      this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not look up a new environment');
    } finally {
      this.lookingUp.delete(environmentId);
    }
  }

  // Names the next log entries of an environment (one read per environment at a time: LogPump).
  private async relayPage(environment: WatchedEnvironment): Promise<PumpRead> {
    const changes = await this.changes.since(environment.id, environment.relayed, PAGE);
    // Unwatched meanwhile: nobody is left to tell.
    if (this.environments.get(environment.id) !== environment) return 'stop';
    for (const change of changes) {
      environment.relayed = change.sequence;
      this.emit({
        project: environment.projectKey,
        environment: environment.environmentKey,
        kind: change.kind,
        key: change.key,
        sequence: change.sequence,
        action: null,
      });
    }
    return changes.length === PAGE ? 'more' : 'caught-up';
  }

  private async reconcile(): Promise<void> {
    if (this.reconciling || this.environments.size === 0) return;
    this.reconciling = true;
    try {
      const heads = await this.changes.heads([...this.environments.keys()]);
      for (const environment of this.environments.values()) if ((heads.get(environment.id) ?? 0) > environment.relayed) environment.pump.wake();
    } catch {
      // The database did not answer; the next tick asks again.
    } finally {
      this.reconciling = false;
    }
  }

  private emit(change: ConsoleChange): void {
    const audience = audienceOf(change);
    // Project changes only matter where a console of this instance watches the project.
    if (audience.to === 'project' && !this.projects.has(audience.project)) return;
    try {
      this.sink?.changed(change);
    } catch (err) {
      this.logger.warn({ err }, 'sending a change to consoles failed');
    }
  }
}
