// `weightlifter run --notify-config <file>` as a real process: a missing or invalid file stops
// start-up with exit code 2 and one line naming the flag, the path and the field, before the
// controller touches the cluster (the Prometheus and kubeconfig given here are never used).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';

jest.setTimeout(90_000);

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-notify-process-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  const entry = join(process.cwd(), 'src', 'cli', 'main.ts');
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        entry,
        'run',
        '--prometheus-url',
        'http://127.0.0.1:9',
        '--kubeconfig',
        join(dir, 'no-kubeconfig'),
        ...args,
      ],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('weightlifter run --notify-config', () => {
  it('exits 2 naming the path and the field of a bad provider', async () => {
    const path = join(dir, 'alerts.yaml');
    await writeFile(
      path,
      'providers:\n  - type: slack\n    url: http://127.0.0.1:9/s\n    minSeverity: critical\n',
    );
    const r = await run(['--notify-config', path]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `weightlifter: invalid configuration: --notify-config ${path}: ` +
        'providers[0].minSeverity: must be one of info, warn, error\n',
    );
  });

  it('exits 2 with a clear line when the file named by the environment is missing', async () => {
    const path = join(dir, 'missing.yaml');
    const r = await run([], { WEIGHTLIFTER_NOTIFY_CONFIG: path });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `weightlifter: invalid configuration: --notify-config: cannot read "${path}": ` +
        'no such file (mount the ConfigMap or fix the path)\n',
    );
  });
});
