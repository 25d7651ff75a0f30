// `weightlifter validate` against the real API server: the server-side dry run's causes with their
// field paths (the CRD schema and CEL rules of crds/ are live here), the controller's own checks
// against what exists in the cluster and in the file, and proof that nothing was created.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { stringify } from 'yaml';
import { CANARY_REF } from '../../src/cli/commands/context.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { isNotFound } from '../../src/kube/errors.js';
import { BUILTIN, collectionPath, objectPath } from '../../src/kube/resources.js';
import type { ValidationReport } from '../../src/cli/render/problems.js';
import { canaryManifest, deployment, runCli } from './cli-harness.js';
import { adminClients, createNamespace, deleteNamespace } from './kube-fixtures.js';

jest.setTimeout(60_000);

const NS = 'cli-validate';
let raw: KubeRawClient;

const file = (...docs: unknown[]): string => docs.map((d) => stringify(d)).join('---\n');

async function missing(path: string): Promise<boolean> {
  try {
    await raw.get(path);
    return false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
  await raw.create(collectionPath(BUILTIN.deployments, NS), deployment(NS, 'existing'));
});

afterAll(async () => {
  await deleteNamespace(raw, NS);
});

describe('validate -f (real API server)', () => {
  it('accepts a sound file, resolving the target and template from the file itself, and creates nothing', async () => {
    const template = {
      apiVersion: 'weightlifter.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'error-rate', namespace: NS },
      spec: {
        query:
          'sum(rate(errors{namespace="{{ namespace }}", deployment="{{ target }}"}[{{ interval }}]))',
      },
    };
    const canary = canaryManifest(NS, 'app');
    canary.spec.analysis?.metrics?.push({
      name: 'errors',
      templateRef: { name: 'error-rate' },
      thresholdRange: { max: 1 },
    });
    const text = file(deployment(NS, 'app'), template, canary);
    const r = await runCli(['validate', '-f', 'app.yaml'], { files: { 'app.yaml': text } });
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout).toBe(
      `app.yaml: document 3 (Canary ${NS}/app): note: spec.routing.provider unset (the ` +
        "controller's auto): picks SMI TrafficSplit for a Canary without a route object yet (the " +
        'cluster serves SMI TrafficSplit v1alpha4)\n' +
        'app.yaml: 3 documents valid\n',
    );
    expect(await missing(objectPath(BUILTIN.deployments, NS, 'app'))).toBe(true);
    expect(await missing(objectPath(CANARY_REF, NS, 'app'))).toBe(true);
  });

  it('validates an update of an existing object (server-side apply dry run) without changing it', async () => {
    const before = await raw.get<{ metadata: { resourceVersion: string } }>(
      objectPath(BUILTIN.deployments, NS, 'existing'),
    );
    const changed = deployment(NS, 'existing');
    (changed['spec'] as { replicas: number }).replicas = 3;
    const r = await runCli(['validate', '-f', 'd.yaml'], { files: { 'd.yaml': file(changed) } });
    expect(r.exitCode).toBe(0);
    const after = await raw.get<{ metadata: { resourceVersion: string } }>(
      objectPath(BUILTIN.deployments, NS, 'existing'),
    );
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('prints every problem with its field path: API server causes and controller checks', async () => {
    const bad = {
      apiVersion: 'weightlifter.io/v1alpha1',
      kind: 'Canary',
      metadata: { name: 'broken' }, // namespace from -n
      spec: {
        targetRef: { name: 'not-there' },
        service: { port: 99999 },
        analysis: {
          interval: '30s',
          stepWeights: [50, 10],
          metrics: [
            {
              name: 'budget',
              templateRef: { name: 'nope', kind: 'ClusterAnalysisTemplate' },
              thresholdRange: { min: 99 },
            },
            {
              name: 'q',
              prometheus: { query: 'up{x="{{ varibles.y }}"}', address: 'http://10.1.2.3:9090' },
              thresholdRange: { max: 1 },
            },
          ],
          webhooks: [
            { name: 'gate', type: 'confirm-rollout', url: 'http://169.254.169.254/latest' },
          ],
        },
      },
    };
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'no-such-namespace' },
      data: { a: 'b' },
    };
    const unknown = { apiVersion: 'nope.example.com/v1', kind: 'Thing', metadata: { name: 'x' } };
    const nameless = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { a: 'b' } };
    const text = file(bad, cm, unknown, nameless) + '---\nkey: [unclosed\n';
    const r = await runCli(
      ['validate', '-f', 'bad.yaml', '-n', NS, '--allowed-cidrs', '127.0.0.0/8'],
      {
        files: { 'bad.yaml': text },
      },
    );
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`bad.yaml: document 1 (Canary ${NS}/broken)`);
    const problems = lines.filter((l) => l.startsWith('  x '));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^ {2}x spec\.service\.port: Invalid value: 99999: .* \(apiserver\)$/,
        ),
        expect.stringMatching(
          /^ {2}x spec\.analysis\.stepWeights: .*strictly ascending.* \(apiserver\)$/,
        ),
        `  x spec.targetRef.name: Deployment ${NS}/not-there not found (in the cluster or in this file) (controller)`,
        '  x spec.analysis.metrics[0].templateRef.name: ClusterAnalysisTemplate nope not found (controller)',
        expect.stringMatching(
          /^ {2}x spec\.analysis\.metrics\[1\]\.prometheus\.query: unknown template variable.*varibles\.y.* \(controller\)$/,
        ),
        '  x spec.analysis.metrics[1].prometheus.address: metrics address http://10.1.2.3:9090 not allowed by the address policy: address 10.1.2.3 is outside the allowed CIDRs (controller)',
        '  x spec.analysis.webhooks[0].url: http://169.254.169.254/latest not allowed by the address policy: address 169.254.169.254 is in the blocked range 169.254.0.0/16 (rule link-local); the operator can unblock it with --unblock-cidrs (controller)',
        '  x metadata.namespace: namespaces "no-such-namespace" not found (apiserver)',
        '  x apiVersion: nope.example.com/v1 is not served by this cluster (CRD not installed?) (apiserver)',
        '  x metadata.name: Required value (apiserver)',
        expect.stringMatching(/^ {2}x .*at line \d+, column \d+.* \(yaml\)$/),
      ]),
    );
    // The engine's own strategy check would repeat the API server's stepWeights finding.
    expect(r.stdout).not.toContain('x spec.analysis: ');
    expect(lines[lines.length - 1]).toBe(
      `bad.yaml: ${problems.length} problems in 5 of 5 documents`,
    );
    expect(await missing(objectPath(CANARY_REF, NS, 'broken'))).toBe(true);
  });

  it('notes, instead of failing, objects whose namespace the file itself creates', async () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cli-validate-new' } };
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'cli-validate-new' },
    };
    const r = await runCli(['validate', '-f', 'ns.yaml'], { files: { 'ns.yaml': file(ns, cm) } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      'note: not dry-run on the server: its namespace cli-validate-new is created by this file',
    );
    expect(await missing('/api/v1/namespaces/cli-validate-new')).toBe(true);
  });

  it('reports as JSON with -o json', async () => {
    const bad = canaryManifest(NS, 'json');
    bad.spec.targetRef.name = 'absent';
    const r = await runCli(['validate', '-f', 'j.yaml', '-o', 'json'], {
      files: { 'j.yaml': file(bad) },
    });
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as ValidationReport;
    expect(report.documents).toBe(1);
    expect(report.problems).toEqual([
      {
        doc: { index: 1, kind: 'Canary', namespace: NS, name: 'json' },
        field: 'spec.targetRef.name',
        message: `Deployment ${NS}/absent not found (in the cluster or in this file)`,
        source: 'controller',
      },
    ]);
  });

  it('knows the routing provider: parentRefs need Gateway API, and a provider the cluster lacks', async () => {
    const gateway = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' }];
    const withRouting = (name: string, routing: Record<string, unknown>) => {
      const c = canaryManifest(NS, name);
      c.spec.targetRef.name = 'existing';
      return { ...c, spec: { ...c.spec, routing } };
    };
    const report = async (args: string[], doc: unknown) => {
      const r = await runCli(['validate', '-f', 'r.yaml', '-o', 'json', ...args], {
        files: { 'r.yaml': file(doc) },
      });
      return { exitCode: r.exitCode, report: JSON.parse(r.stdout) as ValidationReport };
    };
    // Under provider smi the CRD refuses them (the controller's same finding is not repeated).
    const smi = await report([], withRouting('smi', { provider: 'smi', parentRefs: gateway }));
    expect(smi.exitCode).toBe(1);
    expect(smi.report.problems).toEqual([
      expect.objectContaining({
        field: 'spec.routing.parentRefs',
        message: expect.stringContaining('need provider gatewayapi or auto') as unknown as string,
        source: 'apiserver',
      }),
    ]);
    // Unset under the controller's --routing-provider smi: the controller refuses them.
    const byDefault = await report(
      ['--routing-provider', 'smi'],
      withRouting('default', { parentRefs: gateway }),
    );
    expect(byDefault.exitCode).toBe(1);
    expect(byDefault.report.problems).toEqual([
      expect.objectContaining({
        field: 'spec.routing.parentRefs',
        message: expect.stringContaining('--routing-provider smi') as unknown as string,
        source: 'controller',
      }),
    ]);
    // This cluster serves SMI only: provider gatewayapi is valid, with a warning.
    const gw = await report([], withRouting('gw', { provider: 'gatewayapi' }));
    expect(gw.exitCode).toBe(0);
    expect(gw.report.notes).toEqual([
      expect.objectContaining({
        warning: true,
        message:
          'spec.routing.provider gatewayapi: the cluster does not serve Gateway API HTTPRoute ' +
          '(it serves SMI TrafficSplit v1alpha4); the controller would report Ready=False',
      }),
    ]);
  });

  it('fails with exit code 1 when the file cannot be read', async () => {
    const r = await runCli(['validate', '-f', 'missing.yaml']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no such test file missing.yaml/);
  });
});
