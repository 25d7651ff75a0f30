// The bench's --router: which mesh API its world serves and which provider every Canary names.
import { describe, expect, it } from '@jest/globals';
import { parseOptions } from '../../../bench/options.js';

describe('bench --router', () => {
  it('is smi by default, gatewayapi from the flag or BENCH_ROUTER', () => {
    expect(parseOptions([], {})?.router).toBe('smi');
    expect(parseOptions(['--router', 'gatewayapi'], {})?.router).toBe('gatewayapi');
    expect(parseOptions([], { BENCH_ROUTER: 'gatewayapi' })?.router).toBe('gatewayapi');
    expect(parseOptions(['--router', 'smi'], { BENCH_ROUTER: 'gatewayapi' })?.router).toBe('smi');
  });

  it('refuses a router it does not know, naming it', () => {
    expect(() => parseOptions(['--router', 'istio'], {})).toThrow(
      '--router: "istio" is not smi or gatewayapi',
    );
  });
});
