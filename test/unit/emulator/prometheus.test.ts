import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { isWorldError } from '../../../dev/local/emulator/errors.js';
import { prometheusConfig, startPrometheus } from '../../../dev/local/prometheus.js';

describe('prometheusConfig', () => {
  it('scrapes the targets every interval with a timeout Prometheus accepts', () => {
    const config = parse(prometheusConfig(['127.0.0.1:1234'], 1)) as Record<string, unknown>;
    expect(config).toEqual({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        {
          job_name: 'linkerd-proxy',
          honor_labels: true,
          static_configs: [{ targets: ['127.0.0.1:1234'] }],
        },
      ],
    });
  });
});

describe('startPrometheus', () => {
  it('fails with the install command when the binary is missing', async () => {
    let caught: unknown;
    try {
      await startPrometheus({ targets: [], binary: '/nonexistent/prometheus' });
    } catch (err) {
      caught = err;
    }
    expect(isWorldError(caught, 'WL_WORLD_PROMETHEUS_MISSING')).toBe(true);
    expect((caught as Error).message).toContain(
      'apt-get install -y --no-install-recommends prometheus',
    );
  });
});
