import { createHash } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DomainEvents } from '../common/events/domain-events.js';
import { RelayKeysRepository } from './relay-keys.repository.js';

export interface RelayKeySet {
  keyHashes: string[];
  etag: string;
}

/**
 * The key hashes a relay checks downstream SDK keys against. A relay asks with the ETag it holds
 * and a wait: the answer comes as soon as a revocation on this instance changes the set, or when
 * the wait ends (a revocation on another instance is then seen within one wait, as the server's
 * own SDK-key cache sees it within its TTL).
 */
@Injectable()
export class RelayKeysService implements OnModuleDestroy {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly off: () => void;

  constructor(
    private readonly repository: RelayKeysRepository,
    events: DomainEvents,
  ) {
    this.off = events.on('sdk-keys.revoked', ({ environmentId }) => this.wake(environmentId));
  }

  onModuleDestroy(): void {
    this.off();
    for (const environmentId of [...this.waiters.keys()]) this.wake(environmentId);
  }

  async keySet(environmentId: string): Promise<RelayKeySet> {
    const keyHashes = await this.repository.activeKeyHashes(environmentId);
    const etag = `"${createHash('sha256').update(keyHashes.join(',')).digest('base64url').slice(0, 22)}"`;
    return { keyHashes, etag };
  }

  /** The set once it differs from `etag`, or after `waitMs` (then possibly unchanged). */
  async changedSince(environmentId: string, etag: string | undefined, waitMs: number): Promise<RelayKeySet> {
    const current = await this.keySet(environmentId);
    if (etag === undefined || current.etag !== etag || waitMs <= 0) return current;
    await new Promise<void>((resolve) => {
      let waiters = this.waiters.get(environmentId);
      if (!waiters) this.waiters.set(environmentId, (waiters = new Set()));
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.waiters.delete(environmentId);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      waiters.add(done);
    });
    return this.keySet(environmentId);
  }

  private wake(environmentId: string): void {
    for (const done of [...(this.waiters.get(environmentId) ?? [])]) done();
  }
}
