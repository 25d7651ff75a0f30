// The production build and image hold the controller only: tsc compiles src/ alone, the Dockerfile
// copies src/ alone and ships only its bundle, and nothing in src/ imports the developer tooling under dev/ (local world,
// emulator, demo), test/, bench/ or a devDependency (the image has none). A change that would ship
// dev code, or a controller that needs it, fails here.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsFiles } from './source-files.js';
import { deployedNodeOptions } from '../../../bench/options.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

describe('the production build', () => {
  it('compiles src/ only, into dist/ where package.json bin points', () => {
    const build = JSON.parse(read('tsconfig.build.json')) as {
      include: string[];
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(build.include).toEqual(['src']);
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
    expect(pkg.bin['weightlifter']).toBe('dist/cli/main.js');
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { bin?: Record<string, string> }>;
    };
    expect(lock.packages['']?.bin).toEqual(pkg.bin);
  });

  it('copies src/ (and web/, the dashboard page) and no dev code into the image', () => {
    const copies = read('Dockerfile')
      .split('\n')
      .filter((line) => /^COPY\s/.test(line) && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(copies.sort()).toEqual(
      [
        'package-lock.json',
        'package.json',
        'src',
        'tsconfig.build.json',
        'tsconfig.json',
        'web',
      ].sort(),
    );
    const ignored = read('.dockerignore').split('\n');
    for (const dir of ['dev', 'test', 'bench', 'hack']) expect(ignored).toContain(dir);
  });

  it('ships the bundle of src/cli/main.ts alone: no node_modules, no tsc output', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const bundle = pkg.scripts['build:bundle'] ?? '';
    expect(bundle).toMatch(/^esbuild src\/cli\/main\.ts --bundle /);
    expect(bundle).toContain('--outfile=dist/bundle/main.js');
    const dockerfile = read('Dockerfile');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const fromBuild = runtime
      .split('\n')
      .filter((line) => /^COPY\s+--from=build\s/.test(line))
      .map((line) => line.split(/\s+/)[2]);
    // The SBOM of the bundled production dependencies (npm run sbom) rides along for scanners.
    expect(fromBuild.sort()).toEqual([
      '/app/dist/bundle',
      '/app/dist/sbom.cdx.json',
      '/app/dist/web',
      '/app/package.json',
    ]);
    expect(runtime).toMatch(/^ENTRYPOINT \["node", "dist\/bundle\/main\.js"\]$/m);
    // The old and young generations are capped in the image (sized in docs/benchmarks.md), with
    // the same flags as deploy/deployment.yaml, which the bench runs the controller with.
    const image = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(runtime)?.[1];
    expect(image).toMatch(/^--max-old-space-size=\d+ --max-semi-space-size=\d+$/);
    expect(image).toBe(deployedNodeOptions(read('deploy/deployment.yaml')));
  });

  it('has src/ import only src/, Node built-ins and runtime dependencies', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const runtime = new Set(Object.keys(pkg.dependencies));
    const offending = tsFiles(join(ROOT, 'src')).flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((spec) => !allowedFromSrc(file, spec, runtime))
        .map((spec) => `${relative(ROOT, file)} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('catches an import of dev code or of a dev dependency (so the check above can fail)', () => {
    const file = join(ROOT, 'src', 'cli', 'main.ts');
    const text = [
      "import { startWorld } from '../../dev/local/world.js';",
      'import "../../test/unit/shape/source-files.js";',
      "const bench = await import('../../bench/main.js');",
      "export { run } from '../controller/controller.js';",
      "import type { Config } from 'jest';",
      "import { Command } from 'commander';",
      "import { readFile } from 'node:fs/promises';",
    ].join('\n');
    const runtime = new Set(['commander']);
    expect(specifiers(text).filter((spec) => !allowedFromSrc(file, spec, runtime))).toEqual([
      '../../dev/local/world.js',
      '../../test/unit/shape/source-files.js',
      '../../bench/main.js',
      'jest',
    ]);
  });
});

/** Every module specifier of a file: `import … from`, `export … from`, `import '…'`, `import('…')`. */
function specifiers(text: string): string[] {
  const forms = [
    /^\s*(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
  ];
  return forms
    .flatMap((form) => [...text.matchAll(form)])
    .sort((a, b) => a.index - b.index)
    .map((m) => m[1] ?? '');
}

/** A relative import stays inside src/; a bare one is a Node built-in or a runtime dependency. */
function allowedFromSrc(file: string, spec: string, runtime: ReadonlySet<string>): boolean {
  if (spec.startsWith('.')) {
    const target = relative(join(ROOT, 'src'), resolve(dirname(file), spec));
    return !target.startsWith('..') && !isAbsolute(target);
  }
  if (spec.startsWith('node:')) return true;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
  // The image prunes devDependencies: src/ names none, not even for types, so none is loaded.
  return runtime.has(name);
}
