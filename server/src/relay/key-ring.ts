import { hashSecret } from '../auth/secrets.js';
import { NO_CREDENTIAL, REFUSED_CREDENTIAL } from './relay-errors.js';
import type { UpstreamLink } from './upstream-link.js';

export type KeyCheck =
  | { ok: true; link: UpstreamLink; keyHash: string }
  | { ok: false; error: 'UNAUTHENTICATED'; message: string }
  | { ok: false; error: 'UNAVAILABLE'; message: string };

/**
 * Checks downstream SDK keys as the server would, by the hashes each upstream environment shares:
 * a key is valid while its hash is in an environment's set. A key the relay does not know may be
 * new (issued after the last refresh): the relay asks upstream before refusing it, at most once a
 * second per environment, and says UNAVAILABLE (retry) rather than refuse when upstream cannot answer.
 */
export class KeyRing {
  constructor(private readonly links: readonly UpstreamLink[]) {}

  async check(secret: string | undefined): Promise<KeyCheck> {
    if (secret === undefined || secret === '') return { ok: false, error: 'UNAUTHENTICATED', message: NO_CREDENTIAL };
    const keyHash = hashSecret(secret);
    const known = this.find(keyHash);
    if (known) return { ok: true, link: known, keyHash };
    const current = await Promise.all(this.links.map((link) => link.refreshKeys()));
    const found = this.find(keyHash);
    if (found) return { ok: true, link: found, keyHash };
    // An environment whose key the upstream refused (rotated) may be offered the new one.
    let busy = false;
    for (const link of this.links) {
      const adoption = await link.adopt(secret);
      if (adoption === 'adopted') return { ok: true, link, keyHash };
      busy ||= adoption === 'busy';
    }
    if (busy) return { ok: false, error: 'UNAVAILABLE', message: 'The SDK key could not be checked now; retry' };
    if (current.some((ok) => !ok)) return { ok: false, error: 'UNAVAILABLE', message: 'The SDK key could not be checked now; retry' };
    return { ok: false, error: 'UNAUTHENTICATED', message: REFUSED_CREDENTIAL };
  }

  hashOf(secret: string): string {
    return hashSecret(secret);
  }

  private find(keyHash: string): UpstreamLink | undefined {
    for (const link of this.links) if (link.hasKey(keyHash)) return link;
    return undefined;
  }
}
