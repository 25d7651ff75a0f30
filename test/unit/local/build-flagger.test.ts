// Runs hack/build-flagger.sh with a fake `go` on PATH: a first run says what it builds and how
// long that takes, then one line when done, and leaves the binary and the module's CRDs in the
// cache; a run against that cache prints nothing but the directory. Nothing is really built.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve('hack/build-flagger.sh');

// `go install` writes $GOBIN/flagger; `go mod download -json` names a module directory that
// holds artifacts/flagger/crd.yaml (or none, with FAKE_NO_CRD).
const FAKE_GO = `#!/bin/bash
case "$1" in
  install) echo 'go: downloading github.com/fluxcd/flagger v1.44.0' >&2
    printf '#!/bin/sh\\n' >"$GOBIN/flagger" && chmod +x "$GOBIN/flagger"; exit 0 ;;
  mod) printf '{\\n\\t"Dir": "%s",\\n}\\n' "$FAKE_MODDIR"; exit 0 ;;
esac
exit 2
`;

let root: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wl-flagger-'));
  const bin = join(root, 'fakebin');
  await mkdir(bin);
  await writeFile(join(bin, 'go'), FAKE_GO);
  await chmod(join(bin, 'go'), 0o755);
  const mod = join(root, 'mod');
  await mkdir(join(mod, 'artifacts', 'flagger'), { recursive: true });
  await writeFile(
    join(mod, 'artifacts', 'flagger', 'crd.yaml'),
    'kind: CustomResourceDefinition\n',
  );
  env = {
    PATH: `${bin}:${process.env['PATH'] ?? ''}`,
    HOME: root,
    WEIGHTLIFTER_CACHE: join(root, 'cache'),
    FAKE_MODDIR: mod,
  };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function run(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', [SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) =>
    child.once('exit', (code) => {
      r({ code, stdout, stderr });
    }),
  );
}

describe('hack/build-flagger.sh', () => {
  it('says what it builds and how long, then one line when done; later runs reuse the cache', async () => {
    const dest = join(root, 'cache', 'bin', 'flagger-v1.44.0');
    const first = await run();
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(dest);
    const lines = first.stderr.trim().split('\n');
    expect(lines[0]).toContain(
      'building Flagger v1.44.0 once (go install github.com/fluxcd/flagger/cmd/flagger@v1.44.0)',
    );
    expect(first.stderr).toMatch(/takes about \w+ minutes/);
    expect(lines.at(-1)).toMatch(/^weightlifter: built Flagger v1\.44\.0 in \d+m\d\ds into /);
    // Go's own output goes to the log, not the terminal.
    expect(first.stderr).not.toContain('go: downloading');
    expect(await readFile(join(dest, 'crd.yaml'), 'utf8')).toContain('CustomResourceDefinition');
    const again = await run();
    expect(again).toEqual({ code: 0, stdout: `${dest}\n`, stderr: '' });
  });

  it('fails, naming the cause, when the module holds no CRDs', async () => {
    await rm(join(String(env['FAKE_MODDIR']), 'artifacts'), { recursive: true });
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('building Flagger v1.44.0 failed (CRDs not found)');
  });
});
