import { afterEach, describe, expect, it, vi } from 'vitest';
import { draftKey, readDraft, removeDraft, writeDraft } from './draftStorage';

const aDraft = { draft: { on: true, rollout: 35000 }, base: { version: 3 }, reason: 'ramp up', savedAt: '2026-12-04T10:00:00.000Z' };

describe('draft storage', () => {
  afterEach(() => sessionStorage.clear());

  it('keeps one draft per object, readable after a write and gone after a remove', () => {
    const production = draftKey('demo', 'etl.x', 'production');
    const staging = draftKey('demo', 'etl.x', 'staging');
    writeDraft(production, aDraft);
    expect(readDraft(production)).toEqual(aDraft);
    expect(readDraft(staging)).toBeNull();
    removeDraft(production);
    expect(readDraft(production)).toBeNull();
  });

  it('keeps keys apart even when a flag key contains the separator', () => {
    expect(draftKey('demo', 'a/b', 'c')).not.toBe(draftKey('demo', 'a', 'b/c'));
  });

  it('ignores what is not a draft of this format instead of failing', () => {
    const key = draftKey('demo', 'etl.x', 'production');
    sessionStorage.setItem(key, '{not json');
    expect(readDraft(key)).toBeNull();
    sessionStorage.setItem(key, JSON.stringify({ draft: {}, base: {}, savedAt: 'x' }));
    expect(readDraft(key)).toBeNull();
    sessionStorage.setItem(key, JSON.stringify({ ...aDraft, reason: undefined }));
    expect(readDraft(key)?.reason).toBe('');
  });

  it('carries on without drafts when the browser refuses storage', () => {
    const setItem = vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    const key = draftKey('demo', 'etl.x', 'production');
    expect(() => writeDraft(key, aDraft)).not.toThrow();
    expect(readDraft(key)).toBeNull();
    setItem.mockRestore();
  });
});
