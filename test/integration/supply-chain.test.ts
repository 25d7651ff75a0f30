// Issue 22 item 4, against the real npm: `npm run sbom` (the
// Dockerfile's build stage runs it) writes a CycloneDX document listing every production
// dependency at its locked version and no development one; each production dependency is pinned
// by the lockfile and listed with its purpose in docs/security.md.
import { describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

jest.setTimeout(180_000);

const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function npm(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('npm', args, { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : Number(err.code ?? 1), stdout, stderr });
    });
  });
}

const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; integrity?: string; resolved?: string }>;
};
const production = Object.keys(pkg.dependencies);

describe('supply chain', () => {
  it('writes a CycloneDX SBOM of exactly the production dependencies at their locked versions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wl-sbom-'));
    try {
      const file = join(dir, 'sbom.cdx.json');
      const run = await npm(['run', '--silent', 'sbom', '--', '--output-file', file]);
      expect(run.stderr).not.toMatch(/error/i);
      expect(run.code).toBe(0);
      const bom = JSON.parse(await readFile(file, 'utf8')) as {
        bomFormat: string;
        specVersion: string;
        metadata: { component: { name: string; type: string } };
        components: { name: string; group?: string; version: string; purl: string }[];
      };
      expect(bom.bomFormat).toBe('CycloneDX');
      expect(bom.specVersion).toBe('1.6');
      expect(bom.metadata.component).toMatchObject({ name: 'weightlifter', type: 'application' });
      const listed = new Map(
        bom.components.map((c) => [c.group === undefined ? c.name : `${c.group}/${c.name}`, c]),
      );
      for (const name of production) {
        expect(listed.get(name)?.version).toBe(lock.packages[`node_modules/${name}`]?.version);
      }
      for (const name of Object.keys(pkg.devDependencies)) expect(listed.has(name)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pins every production dependency in the lockfile and lists it with its purpose in docs/security.md', async () => {
    const doc = await readFile(join(REPO, 'docs', 'security.md'), 'utf8');
    for (const name of production) {
      const locked = lock.packages[`node_modules/${name}`];
      expect(locked?.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(locked?.integrity).toMatch(/^sha512-/);
      expect(doc).toMatch(
        new RegExp(`^\\| \`${name.replace('/', '\\/')}\` \\| [^|]+ \\| .{10,}`, 'm'),
      );
    }
  });
});
