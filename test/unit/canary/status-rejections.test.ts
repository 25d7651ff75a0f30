// A refused status (HTTP 422) blocks the Canary until the retry time or a new spec.
import { describe, expect, it } from '@jest/globals';
import {
  STATUS_REJECTION_RETRY_MS,
  StatusRejections,
  isInvalid,
} from '../../../src/canary/status-rejections.js';
import { KubeApiError } from '../../../src/kube/errors.js';

const invalid = new KubeApiError('PATCH', '/status', 422, { reason: 'Invalid', message: 'bad' });

describe('StatusRejections', () => {
  it('blocks the same spec until the retry time, then forgets', () => {
    const r = new StatusRejections();
    expect(r.blocked('ns/web', 3, 0)).toBeNull();
    r.record('ns/web', 3, 1_000, 'PATCH /status: 422 bad');
    const b = r.blocked('ns/web', 3, 1_000 + STATUS_REJECTION_RETRY_MS - 1);
    expect(b?.reason).toBe('StatusRejected');
    expect(b?.message).toContain('PATCH /status: 422 bad');
    expect(r.blocked('ns/other', 3, 1_000)).toBeNull();
    expect(r.blocked('ns/web', 3, 1_000 + STATUS_REJECTION_RETRY_MS)).toBeNull();
    expect(r.blocked('ns/web', 3, 1_000)).toBeNull();
  });

  it('a new generation clears the block at once', () => {
    const r = new StatusRejections();
    r.record('ns/web', 3, 0, 'bad');
    expect(r.blocked('ns/web', 4, 1)).toBeNull();
    expect(r.blocked('ns/web', 3, 1)).toBeNull();
  });

  it('forget() drops a deleted Canary', () => {
    const r = new StatusRejections();
    r.record('ns/web', 3, 0, 'bad');
    r.forget('ns/web');
    expect(r.blocked('ns/web', 3, 1)).toBeNull();
  });
});

describe('isInvalid', () => {
  it('finds a 422 in the error or its causes, nothing else', () => {
    expect(isInvalid(invalid)).toBe(true);
    expect(isInvalid(new Error('step', { cause: new Error('write', { cause: invalid }) }))).toBe(
      true,
    );
    const conflict = new KubeApiError('PATCH', '/status', 409, { reason: 'Conflict' });
    expect(isInvalid(conflict)).toBe(false);
    expect(isInvalid(new Error('no status'))).toBe(false);
    expect(isInvalid(undefined)).toBe(false);
  });
});
