// The bench's --router: which mesh API its world serves and which provider every Canary names.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { deployedNodeOptions, parseOptions } from '../../../bench/options.js';

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

describe('bench --controller-node-options', () => {
  const deployment = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: controller',
    '          env:',
    '            - name: POD_NAME',
    '              valueFrom: { fieldRef: { fieldPath: metadata.name } }',
    '            - name: NODE_OPTIONS',
    '              value: --max-old-space-size=192',
  ].join('\n');

  it("reads the shipped Deployment's NODE_OPTIONS", () => {
    expect(deployedNodeOptions(deployment)).toBe('--max-old-space-size=192');
    expect(deployedNodeOptions('kind: Deployment\nspec: {}\n')).toBe('');
  });

  it('runs the controller with those flags unless told otherwise; "" for none', () => {
    const shipped = deployedNodeOptions(deployment);
    expect(parseOptions([], {}, shipped)?.controllerNodeOptions).toEqual([
      '--max-old-space-size=192',
    ]);
    expect(
      parseOptions(['--controller-node-options=--max-semi-space-size=4 --jitless'], {}, shipped)
        ?.controllerNodeOptions,
    ).toEqual(['--max-semi-space-size=4', '--jitless']);
    expect(
      parseOptions(['--controller-node-options='], {}, shipped)?.controllerNodeOptions,
    ).toEqual([]);
  });

  it('reads the real deploy/deployment.yaml', async () => {
    const text = await readFile(
      new URL('../../../deploy/deployment.yaml', import.meta.url),
      'utf8',
    );
    expect(deployedNodeOptions(text)).toMatch(/--max-old-space-size=\d+/);
  });
});

describe('bench --shards', () => {
  it('is 1 (unsharded) by default, and reads the flag or BENCH_SHARDS', () => {
    expect(parseOptions([], {})?.shards).toBe(1);
    expect(parseOptions(['--shards', '2'], {})?.shards).toBe(2);
    expect(parseOptions([], { BENCH_SHARDS: '3' })?.shards).toBe(3);
  });

  it('refuses a count that is not a positive integer, and shards beside a peer', () => {
    expect(() => parseOptions(['--shards', '0'], {})).toThrow('--shards: "0" is not a number >= 1');
    expect(() => parseOptions(['--shards', '1.5'], {})).toThrow('--shards: 1.5 is not an integer');
    expect(() => parseOptions(['--shards', '2', '--peer', 'flagger'], {})).toThrow(
      '--shards: 2 with --peer; Flagger has no shards to compare with',
    );
  });
});

describe('bench --heap-snapshot', () => {
  it('writes none by default, and reads the directory from the flag or BENCH_HEAP_SNAPSHOT', () => {
    expect(parseOptions([], {})?.heapSnapshotDir).toBeUndefined();
    expect(parseOptions(['--heap-snapshot', '/tmp/h'], {})?.heapSnapshotDir).toBe('/tmp/h');
    expect(parseOptions([], { BENCH_HEAP_SNAPSHOT: '/tmp/e' })?.heapSnapshotDir).toBe('/tmp/e');
  });
});
