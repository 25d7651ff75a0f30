// Runs hack/fetch-gateway-api-crds.sh with a fake `go` whose `go mod download -json` points at a
// module directory written here, and gatewayApiCrdDir() against the cache it fills. Nothing is
// downloaded.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LOCAL_ERROR_CODES, isLocalClusterError } from '../../../dev/local/errors.js';
import { gatewayApiCrdDir } from '../../../dev/local/gateway-api-crds.js';
import { checkMeshApis } from '../../../dev/local/mesh-apis.js';

const SCRIPT = resolve('hack/fetch-gateway-api-crds.sh');
const CRDS = [
  'gateway.networking.k8s.io_gateways.yaml',
  'gateway.networking.k8s.io_httproutes.yaml',
];

// Records each call in $FAKE_GO_CALLS and answers `go mod download -json <module>@<version>` the
// way the real one does, with the module directory in "Dir".
const FAKE_GO = `#!/bin/bash
echo "$*" >>"$FAKE_GO_CALLS"
[ "$1 $2 $3" = "mod download -json" ] || exit 2
printf '{\\n\\t"Path": "sigs.k8s.io/gateway-api",\\n\\t"Dir": "%s",\\n\\t"Sum": "h1:x"\\n}\\n' "$FAKE_MODULE_DIR"
`;

let root: string;
let cache: string;
let calls: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wl-gwapi-'));
  cache = join(root, 'cache');
  calls = join(root, 'go-calls');
  const bin = join(root, 'fakebin');
  await mkdir(bin);
  await writeFile(join(bin, 'go'), FAKE_GO);
  await chmod(join(bin, 'go'), 0o755);
  // The module cache holds read-only files in read-only directories.
  const module = join(root, 'mod', 'sigs.k8s.io', 'gateway-api@v1.6.3');
  const standard = join(module, 'config', 'crd', 'standard');
  await mkdir(standard, { recursive: true });
  for (const f of CRDS) {
    await writeFile(join(standard, f), `kind: CustomResourceDefinition # ${f}\n`);
    await chmod(join(standard, f), 0o444);
  }
  await chmod(standard, 0o555);
  env = {
    PATH: `${bin}:/usr/bin:/bin`,
    HOME: root,
    WEIGHTLIFTER_CACHE: cache,
    FAKE_GO_CALLS: calls,
    FAKE_MODULE_DIR: module,
  };
});

afterEach(async () => {
  await chmod(
    join(root, 'mod', 'sigs.k8s.io', 'gateway-api@v1.6.3', 'config', 'crd', 'standard'),
    0o755,
  );
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

const goCalls = async (): Promise<string[]> => {
  try {
    return (await readFile(calls, 'utf8')).trim().split('\n');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
};

describe('hack/fetch-gateway-api-crds.sh', () => {
  const dest = () => join(cache, 'crds', 'gateway-api-v1.6.3-standard');

  it('copies the standard-channel CRDs of sigs.k8s.io/gateway-api v1.6.3 into the cache', async () => {
    const { code, stdout, stderr } = await run();
    expect(code).toBe(0);
    expect(stdout).toBe(`${dest()}\n`);
    expect(stderr).toContain(`standard-channel CRDs cached in ${dest()}`);
    expect(await goCalls()).toEqual(['mod download -json sigs.k8s.io/gateway-api@v1.6.3']);
    expect((await readdir(dest())).sort()).toEqual(CRDS);
    // Ordinary files, unlike the module cache's, so the cache can be cleaned.
    expect((await stat(join(dest(), CRDS[1] ?? ''))).mode & 0o777).toBe(0o644);
  });

  it('prints nothing but the directory, and asks nothing of go, once they are cached', async () => {
    await run();
    const again = await run();
    expect(again).toEqual({ code: 0, stdout: `${dest()}\n`, stderr: '' });
    expect(await goCalls()).toHaveLength(1);
  });

  it('with --cached, fetches nothing and names the command when the cache lacks them', async () => {
    const { code, stdout, stderr } = await run({}, ['--cached']);
    expect(code).toBe(4);
    expect(stdout).toBe('');
    expect(stderr).toContain('fetch them with: bash hack/fetch-gateway-api-crds.sh');
    expect(await goCalls()).toEqual([]);
    await run();
    expect((await run({}, ['--cached'])).stdout).toBe(`${dest()}\n`);
  });

  it('needs go (exit 3), and leaves nothing behind when the module has no CRDs', async () => {
    const noGo = await run({ PATH: '/usr/bin:/bin' });
    expect(noGo.code).toBe(3);
    expect(noGo.stderr).toContain('the Go toolchain is needed');
    const empty = await run({ FAKE_MODULE_DIR: join(root, 'nowhere') });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(
      'go mod download gave no gateway.networking.k8s.io_httproutes.yaml',
    );
    await expect(stat(dest())).rejects.toThrow('ENOENT');
  });

  it('honours WEIGHTLIFTER_GATEWAY_API_VERSION', async () => {
    const { stdout } = await run({ WEIGHTLIFTER_GATEWAY_API_VERSION: 'v1.6.2' });
    expect(stdout).toBe(`${join(cache, 'crds', 'gateway-api-v1.6.2-standard')}\n`);
    expect(await goCalls()).toEqual(['mod download -json sigs.k8s.io/gateway-api@v1.6.2']);
  });
});

describe('gatewayApiCrdDir', () => {
  it('fails loudly, naming the command that fills the cache, when it is empty', async () => {
    const err: unknown = await gatewayApiCrdDir(env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLocalClusterError(err, LOCAL_ERROR_CODES.GATEWAY_API_CRDS_MISSING)).toBe(true);
    expect((err as Error).message).toBe(
      'the Gateway API CRDs are not in the cache; fetch them with: bash hack/fetch-gateway-api-crds.sh (bash hack/setup.sh runs it)',
    );
    expect(await goCalls()).toEqual([]);
  });

  it('gives the cached directory', async () => {
    await run();
    expect(await gatewayApiCrdDir(env)).toBe(join(cache, 'crds', 'gateway-api-v1.6.3-standard'));
  });
});

describe('checkMeshApis', () => {
  it('takes smi, gatewayapi or both, and nothing else', () => {
    expect(checkMeshApis(['gatewayapi', 'smi'])).toEqual(['gatewayapi', 'smi']);
    expect(() => checkMeshApis([])).toThrow('name at least one of smi, gatewayapi');
    expect(() => checkMeshApis(['istio'])).toThrow('unknown API "istio"');
    expect(() => checkMeshApis(['smi', 'smi'])).toThrow('an API is repeated');
  });
});
