// Runs hack/build-binaries.sh with a fake `go` on PATH: what a first run prints (what it builds, how
// long it takes, where the cache is, one line per binary, Go's output only in the log) and what a
// run against a complete cache prints (nothing but the directory). Nothing is really built.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve('hack/build-binaries.sh');
const ALL = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'etcd',
  'kwok',
];

// `go env GOVERSION`, `go mod download -json`, `go mod tidy` and `go build -o OUT ...`; every call
// prints a `go: downloading` line the way the real one does on a cold cache. A build whose output
// ends in $FAKE_GO_FAIL fails with a compile error.
const FAKE_GO = `#!/bin/bash
case "$1 $2" in
  "env GOVERSION") echo go1.26.0; exit 0 ;;
  "mod download") echo 'go: downloading k8s.io/kubernetes v1.37.2' >&2
    printf '{\\n\\t"GoMod": "%s",\\n}\\n' "$FAKE_GOMOD"; exit 0 ;;
  "mod tidy") echo 'go: downloading k8s.io/api v0.37.2' >&2; exit 0 ;;
esac
out=""
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
echo "go: downloading k8s.io/component-base v0.37.2" >&2
if [ -n "$FAKE_GO_FAIL" ] && [ "\${out%$FAKE_GO_FAIL}" != "$out" ]; then
  echo "compile error building $out" >&2; exit 1
fi
printf '#!/bin/sh\\n' >"$out" && chmod +x "$out"
`;

let root: string;
let cache: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wl-build-'));
  cache = join(root, 'cache');
  const bin = join(root, 'fakebin');
  await mkdir(bin);
  await writeFile(join(bin, 'go'), FAKE_GO);
  await chmod(join(bin, 'go'), 0o755);
  const gomod = join(root, 'kubernetes.mod');
  await writeFile(gomod, 'replace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n)\n');
  env = {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    HOME: root,
    WEIGHTLIFTER_CACHE: cache,
    FAKE_GOMOD: gomod,
  };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function run(
  extra: NodeJS.ProcessEnv = {},
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('bash', [SCRIPT, ...args], { env: { ...env, ...extra } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      done({ code, stdout, stderr });
    });
  });
}

describe('hack/build-binaries.sh', () => {
  it('says what it builds, how long it takes and where the cache is, then one line per binary', async () => {
    const { code, stdout, stderr } = await run();
    expect(code).toBe(0);
    const dest = stdout.trim();
    expect(dest).toBe(join(cache, 'bin', 'k8s-v1.37.2-etcd-v3.6.16'));
    expect(stderr).toContain(`building the local control plane once: ${ALL.join(' ')}`);
    expect(stderr).toContain('about ten minutes on 2 cores');
    expect(stderr).toContain(`Cache: ${cache}`);
    expect(stderr).toContain(`Go's output: ${join(cache, 'build.log')}`);
    ALL.forEach((b, i) => {
      expect(stderr).toMatch(new RegExp(`\\[${i + 1}/6\\] ${b} \\.\\.\\. done in \\d+s\\n`));
    });
    expect(stderr).not.toContain('go: downloading');
    expect(await readFile(join(cache, 'build.log'), 'utf8')).toContain('go: downloading');
  });

  it('prints nothing but the directory when every binary is cached', async () => {
    await run();
    const { code, stdout, stderr } = await run();
    expect(code).toBe(0);
    expect(stdout).toBe(`${join(cache, 'bin', 'k8s-v1.37.2-etcd-v3.6.16')}\n`);
    expect(stderr).toBe('');
  });

  it('counts only the binaries that are missing', async () => {
    const dest = (await run()).stdout.trim();
    await rm(join(dest, 'kubectl'));
    await rm(join(dest, 'etcd'));
    const { code, stderr } = await run();
    expect(code).toBe(0);
    expect(stderr).toContain('building the local control plane once: kubectl etcd');
    expect(stderr).toMatch(/\[1\/2\] kubectl \.\.\. done/);
    expect(stderr).toMatch(/\[2\/2\] etcd \.\.\. done/);
  });

  it('stops at a failed binary with the tail of the log and its path', async () => {
    const { code, stdout, stderr } = await run({ FAKE_GO_FAIL: 'kube-scheduler' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/\[3\/6\] kube-scheduler \.\.\. failed after \d+s\n/);
    expect(stderr).toContain(
      `building kube-scheduler failed; the last lines of ${join(cache, 'build.log')}:`,
    );
    expect(stderr).toMatch(/ {2}compile error building .*kube-scheduler\n/);
    expect(stderr).not.toContain('[4/6]');
  });

  it('goes on without kwok when it fails, and says so once', async () => {
    const { code, stdout, stderr } = await run({ FAKE_GO_FAIL: 'kwok' });
    expect(code).toBe(0);
    const dest = stdout.trim();
    expect(stderr).toMatch(/\[6\/6\] kwok \.\.\. failed after \d+s \(optional\)\n/);
    expect(await readFile(join(dest, 'kwok.build-failed'), 'utf8')).toContain('compile error');
    const again = await run();
    expect(again.stderr).toBe('');
  });
});
