import { afterEach, describe, expect, it } from '@jest/globals';
import type { CanaryJson } from '../../../src/canary/caches.js';
import { RunSlots } from '../../../src/canary/run-slots.js';
import type { ScopedCache } from '../../../src/runtime/scoped-cache.js';
import { canaryJson, memoryCache } from './canary-fixtures.js';

let cache: ScopedCache<CanaryJson> | undefined;
afterEach(async () => {
  await cache?.stop();
});

const c = (name: string, phase: string) =>
  canaryJson('ns', name, {}, { phase: phase as 'Progressing' });

describe('RunSlots', () => {
  it('is always available without a limit', async () => {
    cache = await memoryCache('canaries', [c('a', 'Progressing'), c('b', 'Progressing')]);
    expect(new RunSlots(0, cache).available('ns/c')).toBe(true);
  });

  it('counts other canaries in an active phase against the limit', async () => {
    cache = await memoryCache('canaries', [
      c('a', 'Progressing'),
      c('b', 'Succeeded'),
      c('c', 'Waiting'),
    ]);
    const slots = new RunSlots(1, cache);
    expect(slots.available('ns/c')).toBe(false);
    // The one already running keeps its slot.
    expect(slots.available('ns/a')).toBe(true);
    expect(new RunSlots(2, cache).available('ns/c')).toBe(true);
  });

  it('counts phases decided moments ago, before the cache shows them', async () => {
    cache = await memoryCache('canaries', [c('a', 'Waiting'), c('b', 'Waiting')]);
    const slots = new RunSlots(1, cache);
    expect(slots.available('ns/a')).toBe(true);
    slots.decided('ns/a', 'Progressing');
    expect(slots.available('ns/b')).toBe(false);
    // The run ended (decided), the cache still says Progressing for a moment: the slot is free.
    slots.decided('ns/a', 'Succeeded');
    expect(slots.available('ns/b')).toBe(true);
  });

  it('drops a local note once the cache agrees, or the canary is gone', async () => {
    cache = await memoryCache('canaries', [c('a', 'Waiting'), c('b', 'Waiting')]);
    const slots = new RunSlots(1, cache);
    slots.decided('ns/a', 'Progressing');
    slots.settle('ns/a', cache.get('ns/a'));
    expect(slots.available('ns/b')).toBe(false);
    slots.settle('ns/a', undefined);
    expect(slots.available('ns/b')).toBe(true);
  });
});
