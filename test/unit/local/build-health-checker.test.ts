// Runs hack/build-health-checker.sh with a fake `go` on PATH: the path it builds to is the one
// test/e2e/health-checker.ts looks for (same cache, same hash of the same sources); a first run
// says what it builds, how long it takes and where, then one line; a second prints only the path;
// a failed build shows Go's last lines and leaves no binary. Nothing is really built.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { healthCheckerPath } from '../../e2e/health-checker.js';

const SCRIPT = resolve('hack/build-health-checker.sh');

// `go build ... -o OUT .`: prints what the real one prints on a cold cache, fails when FAKE_GO_FAIL
// is set.
const FAKE_GO = `#!/bin/bash
out=""
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
echo "go: downloading sigs.k8s.io/cli-utils v0.37.2" >&2
if [ -n "$FAKE_GO_FAIL" ]; then echo "main.go:1: syntax error" >&2; exit 1; fi
printf '#!/bin/sh\\n' >"$out" && chmod +x "$out"
`;

let root: string;
let cache: string;
let bin: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wl-health-checker-'));
  cache = join(root, 'cache');
  bin = join(root, 'fakebin');
  await mkdir(bin);
  await writeFile(join(bin, 'go'), FAKE_GO);
  await chmod(join(bin, 'go'), 0o755);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function run(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn('/bin/bash', [SCRIPT, ...args], {
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        HOME: root,
        WEIGHTLIFTER_CACHE: cache,
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', rej);
    child.on('close', (code) => {
      res({ code, stdout, stderr });
    });
  });
}

describe('hack/build-health-checker.sh', () => {
  it('builds to the path the tests look for', async () => {
    const { code, stdout } = await run(['--path']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(healthCheckerPath({ WEIGHTLIFTER_CACHE: cache }));
  });

  it('says what it builds, how long it takes and where before building, then one line', async () => {
    const first = await run();
    expect(first.code).toBe(0);
    const path = healthCheckerPath({ WEIGHTLIFTER_CACHE: cache });
    expect(first.stdout.trim()).toBe(path);
    const lines = first.stderr.trim().split('\n');
    expect(lines[0]).toBe('weightlifter: building the GitOps health checker once: health-checker');
    expect(first.stderr).toMatch(/takes about three minutes on 2 cores/);
    expect(first.stderr).toContain(`Cache: ${cache}`);
    expect(lines.filter((l) => l.startsWith('[1/1] health-checker ... done in '))).toHaveLength(1);
    expect(first.stderr).not.toContain('go: downloading');
    expect(await readFile(join(cache, 'health-checker.log'), 'utf8')).toContain('go: downloading');
    await access(path);

    const second = await run();
    expect(second).toEqual({ code: 0, stdout: `${path}\n`, stderr: '' });
  });

  it("fails with Go's last lines and leaves no binary behind", async () => {
    const r = await run([], { FAKE_GO_FAIL: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('main.go:1: syntax error');
    await expect(access(healthCheckerPath({ WEIGHTLIFTER_CACHE: cache }))).rejects.toThrow();
  });

  it('names what to install when there is no Go', async () => {
    // A PATH with the tools the script uses before it looks for Go, and no go.
    const tools = join(root, 'tools');
    await mkdir(tools);
    for (const tool of ['bash', 'cat', 'sha256sum', 'ls', 'sort', 'cut', 'dirname']) {
      const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
      await symlink(found.stdout.trim(), join(tools, tool));
    }
    const r = await run([], { PATH: tools });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('bash hack/build-health-checker.sh');
  });
});
