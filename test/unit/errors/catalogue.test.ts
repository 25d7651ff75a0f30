import { describe, expect, it } from '@jest/globals';
import {
  ERROR_CATALOGUE,
  WeightlifterError,
  isRetryable,
  isWeightlifterError,
  type ErrorCode,
} from '../../../src/errors/catalogue.js';

// Published codes. Removing or renaming one breaks users' alerts and log queries: this list only
// ever grows, and a code that appears here must keep its meaning.
const PUBLISHED: readonly string[] = [
  'WL_KUBE_API_ERROR',
  'WL_KUBE_REQUEST_FAILED',
  'WL_KUBECONFIG_INVALID',
  'WL_INFORMER_SYNC_TIMEOUT',
  'WL_INFORMER_STOPPED',
  'WL_STATUS_CONFLICT',
  'WL_NOT_OWNED',
  'WL_LEADER_ELECTION_FAILED',
  'WL_SHUTDOWN_TIMEOUT',
  'WL_CONFIG_INVALID',
  'WL_INVALID_SPEC',
  'WL_METRICS_QUERY_FAILED',
  'WL_TEMPLATE_RENDER_FAILED',
  'WL_WEBHOOK_FAILED',
  'WL_HTTP_SERVER_FAILED',
  'WL_NOT_LEADER',
  'WL_DASHBOARD_NOT_BUILT',
  'WL_DASHBOARD_FORBIDDEN',
  'WL_ADDRESS_NOT_ALLOWED',
];

const entries = Object.entries(ERROR_CATALOGUE);

describe('error catalogue', () => {
  it('keeps every published code', () => {
    for (const code of PUBLISHED) expect(Object.keys(ERROR_CATALOGUE)).toContain(code);
  });

  it('has no code that is not published (add new codes to PUBLISHED too)', () => {
    for (const [key] of entries) expect(PUBLISHED).toContain(key);
  });

  it('names each entry by its own code, and codes are unique', () => {
    for (const [key, entry] of entries) expect(entry.code).toBe(key);
    const codes = entries.map(([, e]) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each(entries)('%s is well-formed', (key, entry) => {
    expect(key).toMatch(/^WL_[A-Z0-9]+(_[A-Z0-9]+)*$/);
    expect(entry.description.length).toBeGreaterThan(10);
    expect(entry.description.endsWith('.')).toBe(true);
  });

  it('has distinct descriptions (one meaning per code)', () => {
    const descriptions = entries.map(([, e]) => e.description);
    expect(new Set(descriptions).size).toBe(descriptions.length);
  });
});

describe('WeightlifterError', () => {
  it('carries code, retryability, details and cause', () => {
    const cause = new Error('socket hang up');
    const err = new WeightlifterError('WL_KUBE_REQUEST_FAILED', 'list canaries failed', {
      cause,
      details: { path: '/apis/weightlifter.io/v1alpha1/canaries' },
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('WL_KUBE_REQUEST_FAILED');
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ path: '/apis/weightlifter.io/v1alpha1/canaries' });
    expect(err.name).toBe('WeightlifterError');
    expect(isWeightlifterError(err, 'WL_KUBE_REQUEST_FAILED')).toBe(true);
    expect(isWeightlifterError(err, 'WL_NOT_OWNED')).toBe(false);
  });

  it('names subclasses after themselves', () => {
    class OwnershipError extends WeightlifterError {}
    const err = new OwnershipError('WL_NOT_OWNED', 'not ours');
    expect(err.name).toBe('OwnershipError');
    expect(isRetryable(err)).toBe(false);
  });

  it.each(entries.map(([code, e]) => [code as ErrorCode, e.retryable] as const))(
    '%s retryable=%s',
    (code, retryable) => {
      expect(isRetryable(new WeightlifterError(code, 'x'))).toBe(retryable);
    },
  );

  it('treats foreign errors as retryable', () => {
    expect(isRetryable(new TypeError('boom'))).toBe(true);
  });
});
