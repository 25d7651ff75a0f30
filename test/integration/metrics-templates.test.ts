// Every shipped analysis template (analysis-templates/*.yaml) is accepted by the real API server's
// schema and CEL validation, and comes back as written (query and batch annotation intact).
import { afterAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { ClusterAnalysisTemplate } from '../../src/api/analysis-template.js';
import { kubectl } from './helpers/env.js';

const dir = fileURLToPath(new URL('../../analysis-templates/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const shipped = files.flatMap((f) =>
  parseAllDocuments(readFileSync(dir + f, 'utf8')).map((d) => d.toJS() as ClusterAnalysisTemplate),
);
const names = shipped.map((t) => t.metadata.name ?? '');

afterAll(async () => {
  await kubectl([
    'delete',
    'clusteranalysistemplates.weightlifter.io',
    ...names,
    '--ignore-not-found',
  ]);
});

describe('shipped ClusterAnalysisTemplates on the real API server', () => {
  it('finds templates to apply', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(shipped.length).toBe(2 * files.length);
  });

  it.each(files)(
    'accepts %s (server-side dry run with strict field validation, then applied)',
    async (file) => {
      const dryRun = await kubectl([
        'apply',
        '--dry-run=server',
        '--validate=strict',
        '-f',
        dir + file,
      ]);
      expect(dryRun.stderr).toBe('');
      expect(dryRun.code).toBe(0);
      const applied = await kubectl(['apply', '-f', dir + file]);
      expect(applied.code).toBe(0);
      expect(applied.stdout).toMatch(
        /clusteranalysistemplate\.weightlifter\.io\/\S+ (created|configured|unchanged)/,
      );
    },
  );

  it.each(shipped.map((t) => [t.metadata.name ?? '', t] as const))(
    'stores %s as written',
    async (name, t) => {
      const got = await kubectl([
        'get',
        'clusteranalysistemplates.weightlifter.io',
        name,
        '-o',
        'json',
      ]);
      expect(got.code).toBe(0);
      const stored = JSON.parse(got.stdout) as ClusterAnalysisTemplate;
      expect(stored.spec.query).toBe(t.spec.query);
      // The CRD's default provider is filled in: the controller's Prometheus.
      expect(stored.spec.provider).toEqual({ type: 'prometheus' });
      expect(stored.metadata.annotations?.['weightlifter.io/batch-by']).toBe(
        t.metadata.annotations?.['weightlifter.io/batch-by'],
      );
    },
  );
});
