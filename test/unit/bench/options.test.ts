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
