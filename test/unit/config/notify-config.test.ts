import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { flagsFromOptions, runCommand } from '../../../src/cli/run-command.js';
import { resolveConfig } from '../../../src/config/config.js';
import { isWeightlifterError, type WeightlifterError } from '../../../src/errors/catalogue.js';

const PROM = { prometheusUrl: 'http://127.0.0.1:9090' };

const VALID = `cluster: prod-eu
providers:
  - name: deploys
    type: slack
    url: http://127.0.0.1:9/slack
  - type: generic
    url: http://127.0.0.1:9/hook
    minSeverity: error
    timeout: 2s
    retries: 0
`;

function configError(fn: () => unknown): WeightlifterError {
  try {
    fn();
  } catch (err) {
    if (isWeightlifterError(err, 'WL_CONFIG_INVALID')) return err;
    throw err;
  }
  throw new Error('expected WL_CONFIG_INVALID');
}

const problemsOf = (fn: () => unknown): string[] => configError(fn).details['problems'] as string[];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-notify-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('--notify-config', () => {
  it('is off by default: no file is read, no alerts', () => {
    const reads: string[] = [];
    const c = resolveConfig(PROM, {}, { readText: (p) => (reads.push(p), '') });
    expect(c.notify).toBeUndefined();
    expect(reads).toEqual([]);
  });

  it('reads the providers from a YAML file named by the flag', async () => {
    const path = await file('alerts.yaml', VALID);
    const c = resolveConfig({ ...PROM, notifyConfig: path }, {});
    expect(c.notify?.path).toBe(path);
    expect(c.notify?.config).toEqual({
      cluster: 'prod-eu',
      providers: [
        {
          name: 'deploys',
          type: 'slack',
          url: 'http://127.0.0.1:9/slack',
          minSeverity: 'info',
          timeoutMs: 5_000,
          retries: 2,
        },
        {
          name: 'generic-1',
          type: 'generic',
          url: 'http://127.0.0.1:9/hook',
          minSeverity: 'error',
          timeoutMs: 2_000,
          retries: 0,
        },
      ],
    });
  });

  it('takes WEIGHTLIFTER_NOTIFY_CONFIG, and the flag wins over it', async () => {
    const json = await file(
      'alerts.json',
      JSON.stringify({ providers: [{ type: 'discord', url: 'https://127.0.0.1/d' }] }),
    );
    const env = { WEIGHTLIFTER_NOTIFY_CONFIG: json };
    expect(resolveConfig(PROM, env).notify?.config.providers.map((p) => p.type)).toEqual([
      'discord',
    ]);
    const yaml = await file('flag.yaml', VALID);
    expect(resolveConfig({ ...PROM, notifyConfig: yaml }, env).notify?.path).toBe(yaml);
  });

  it('accepts an empty file (a ConfigMap key left blank) as no providers', async () => {
    const path = await file('empty.yaml', '');
    expect(resolveConfig({ ...PROM, notifyConfig: path }, {}).notify?.config).toEqual({
      providers: [],
    });
  });

  it('fails start-up naming the path and every bad field', async () => {
    const path = await file(
      'bad.yaml',
      `providers:
  - type: slack
    url: http://127.0.0.1:9/slack
  - type: teams
    url: http://127.0.0.1:9/t
  - type: generic
    url: http://127.0.0.1:9/g
    minSeverity: critical
    retries: 99
`,
    );
    const err = configError(() => resolveConfig({ ...PROM, notifyConfig: path }, {}));
    expect(err.details['problems']).toEqual([
      `--notify-config ${path}: providers[1].type: must be one of slack, msteams, discord, generic`,
      `--notify-config ${path}: providers[2].minSeverity: must be one of info, warn, error`,
      `--notify-config ${path}: providers[2].retries: must be an integer from 0 to 10`,
    ]);
    expect(err.message).toContain(`${path}: providers[2].minSeverity`);
    expect(isWeightlifterError(err.cause, 'WL_CONFIG_INVALID')).toBe(true);
  });

  it('reports a missing file clearly, with the read error as cause', () => {
    const path = join(dir, 'does-not-exist.yaml');
    const err = configError(() => resolveConfig({ ...PROM, notifyConfig: path }, {}));
    expect(err.details['problems']).toEqual([
      `--notify-config: cannot read "${path}": no such file (mount the ConfigMap or fix the path)`,
    ]);
    expect((err.cause as { code?: string }).code).toBe('ENOENT');
  });

  it('reports a directory (a ConfigMap mounted without its key) clearly', () => {
    expect(problemsOf(() => resolveConfig({ ...PROM, notifyConfig: dir }, {}))).toEqual([
      `--notify-config: cannot read "${dir}": is a directory, not a file`,
    ]);
  });

  it('reports text that is not YAML with the parser message', async () => {
    const path = await file('broken.yaml', 'providers: [\n  {type: slack\n');
    const [problem, ...rest] = problemsOf(() => resolveConfig({ ...PROM, notifyConfig: path }, {}));
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      new RegExp(
        `^--notify-config ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid YAML or JSON: .+`,
      ),
    );
  });

  it('lists a bad file together with the other configuration problems', async () => {
    const path = await file('root.yaml', '- just\n- a list\n');
    expect(problemsOf(() => resolveConfig({ notifyConfig: path, mesh: 'consul' }, {}))).toEqual([
      '--prometheus-url (or WEIGHTLIFTER_PROMETHEUS_URL) is required: the Prometheus that analysis queries by default',
      '--mesh: "consul" is not linkerd, istio or osm',
      `--notify-config ${path}: (root): must be a mapping with a providers list`,
    ]);
  });

  it('is a `weightlifter run` flag with its environment variable in the help', () => {
    const cmd = runCommand().exitOverride();
    cmd.parseOptions(['--notify-config', '/etc/weightlifter/alerts.yaml']);
    expect(flagsFromOptions(cmd.opts())).toEqual({
      notifyConfig: '/etc/weightlifter/alerts.yaml',
    });
    expect(cmd.helpInformation()).toMatch(
      /--notify-config <value>[\s\S]*WEIGHTLIFTER_NOTIFY_CONFIG/,
    );
  });
});
