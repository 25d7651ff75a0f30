import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { outroLines, type OutroFacts } from '../../../dev/demo/outro.js';
import { COLOR, CONTROL, PLAIN } from './fixtures.js';

const FACTS: OutroFacts = {
  adminKubeconfig: '/tmp/weightlifter-cp-x/kubeconfigs/admin.kubeconfig',
  binDir: '/cache/bin',
  prometheusUrl: 'http://127.0.0.1:9090',
  controllerHealthUrl: 'http://127.0.0.1:8080',
  dashboardUrl: 'http://127.0.0.1:3100/',
  logDir: '/tmp/weightlifter-demo-x',
  once: false,
  router: 'smi',
};

describe('outroLines', () => {
  it('prints the KUBECONFIG line, the commands to try and how to stop', () => {
    const text = outroLines(FACTS, PLAIN).join('\n');
    expect(text).toContain(`  export KUBECONFIG=${FACTS.adminKubeconfig}\n`);
    expect(text).toContain('  export PATH=/cache/bin:$PATH');
    expect(text).toContain('kubectl get canaries -n demo');
    // The CLI as it runs from a clone (the package's bin needs a build first).
    expect(text).toContain('npx tsx src/cli/main.ts status podinfo -n demo --watch');
    expect(text).toContain('Ctrl-C stops everything');
    expect(text).toContain('http://127.0.0.1:8080/metrics');
    expect(text).not.toMatch(CONTROL);
    expect(text).toContain('10 -> 25 -> 50 %');
  });

  it('suggests patches that are valid JSON merge patches of the pod template', () => {
    const patches = outroLines(FACTS, PLAIN)
      .map((l) => /-p '(.*)'$/.exec(l)?.[1])
      .filter((p): p is string => p !== undefined);
    expect(patches).toHaveLength(2);
    for (const p of patches) {
      const annotations = (
        parse(p) as { spec: { template: { metadata: { annotations: object } } } }
      ).spec.template.metadata.annotations;
      expect(Object.keys(annotations)[0]).toMatch(/^emulator\.weightlifter\.io\//);
    }
  });

  it('says nothing about Ctrl-C when the demo exits by itself', () => {
    expect(outroLines({ ...FACTS, once: true }, PLAIN).join('\n')).not.toContain(
      'Ctrl-C stops everything',
    );
  });

  it("shows the route object of the demo's router", () => {
    expect(outroLines(FACTS, PLAIN).join('\n')).toContain(
      '  kubectl get trafficsplits -n demo -o yaml\n      the SMI TrafficSplit the controller steers',
    );
    expect(outroLines({ ...FACTS, router: 'gatewayapi' }, PLAIN).join('\n')).toContain(
      '  kubectl get httproutes -n demo -o yaml\n      the Gateway API HTTPRoute the controller steers',
    );
  });

  it('colours headings only with a colour style', () => {
    expect(outroLines(FACTS, COLOR).join('\n')).toContain('\u001b[1m');
  });
});
