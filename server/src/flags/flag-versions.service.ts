import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { FlagEnvironmentRef } from './flag-environment.decorator.js';
import type { FlagConfigView } from './flag.mapper.js';
import { type FlagVersion, revertChange, toFlagVersion } from './flag-versions.js';
import { FlagsService } from './flags.service.js';

export interface FlagVersionPage {
  items: FlagVersion[];
  nextCursor: string | null;
  earlierVersionsMissing: boolean;
}

export interface RevertRequest {
  toVersion: number;
  /** The current version the caller saw; any other refuses the revert (409). */
  basedOnVersion: number;
  reason?: string;
}

/** How many audit entries one read of the log takes while looking for versions. */
const AUDIT_BATCH = 200;

/**
 * A flag config's versions, read from the audit log (every config write records the config after
 * it), and revert, which writes one of them again through FlagsService's one write path.
 */
@Injectable()
export class FlagVersionsService {
  constructor(
    private readonly flags: FlagsService,
    private readonly audit: AuditService,
  ) {}

  async list(ref: FlagEnvironmentRef, page: { limit: number; cursor?: string }): Promise<FlagVersionPage> {
    const { current, versions } = await this.versions(ref, page.cursor);
    const found: Array<{ id: number; version: FlagVersion }> = [];
    // One more than the page tells whether there is a next one.
    for await (const entry of versions) if (found.push(entry) > page.limit) break;
    const items = found.slice(0, page.limit);
    const more = found.length > page.limit;
    // Versions count up from 1 with no gaps, so a last page that stops above 1 means the log lacks the rest.
    const oldest = items.at(-1)?.version.version ?? (page.cursor === undefined ? current.version + 1 : null);
    return {
      items: items.map((entry) => entry.version),
      nextCursor: more ? String(items.at(-1)!.id) : null,
      earlierVersionsMissing: !more && oldest !== null && oldest > 1,
    };
  }

  async revert(actor: Actor, ref: FlagEnvironmentRef, request: RevertRequest): Promise<FlagConfigView> {
    const target = await this.find(ref, request.toVersion);
    return (await this.flags.changeConfig(actor, ref, revertChange(target, request))).config;
  }

  /** One version (404 when it does not exist or is older than the audit log holds). */
  async find(ref: FlagEnvironmentRef, version: number): Promise<FlagVersion> {
    const { versions } = await this.versions(ref);
    for await (const entry of versions) {
      if (entry.version.version === version) return entry.version;
      if (entry.version.version < version) break;
    }
    throw new DomainError('NOT_FOUND', `Version ${version} of '${ref.flagKey}' in ${ref.environmentKey} does not exist or is older than the audit log holds`, {
      toVersion: version,
    });
  }

  /** The current config (404s for an unknown project, flag or environment) and its versions, newest first. */
  private async versions(ref: FlagEnvironmentRef, cursor?: string) {
    const [flag, current] = await Promise.all([
      this.flags.get(ref.projectKey, ref.flagKey),
      this.flags.getConfig(ref.projectKey, ref.flagKey, ref.environmentKey),
    ]);
    // Entries before the flag's creation belong to an earlier, deleted flag with the same key.
    const filter = {
      projectKey: ref.projectKey,
      environmentKey: ref.environmentKey,
      resourceType: 'flag',
      resourceKey: ref.flagKey,
      from: new Date(flag.createdAt),
    };
    const audit = this.audit;
    async function* versions(): AsyncGenerator<{ id: number; version: FlagVersion }> {
      let next = cursor;
      do {
        const page = await audit.query({ ...filter, cursor: next, limit: AUDIT_BATCH }, 'member');
        for (const entry of page.items) {
          const version = toFlagVersion(entry, ref.environmentKey);
          if (version) yield { id: entry.id, version };
        }
        next = page.nextCursor ?? undefined;
      } while (next !== undefined);
    }
    return { current, versions: versions() };
  }
}
