// The production build and image hold the controller only: tsc compiles src/ alone, the Dockerfile
// copies src/ alone, and nothing in src/ imports the developer tooling under dev/ (local world,
// emulator, demo), test/ or bench/. A change that would ship dev code fails here.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsFiles } from './source-files.js';

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

  it('copies src/ and no dev code into the image', () => {
    const copies = read('Dockerfile')
      .split('\n')
      .filter((line) => /^COPY\s/.test(line) && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(copies.sort()).toEqual(
      ['package-lock.json', 'package.json', 'src', 'tsconfig.build.json', 'tsconfig.json'].sort(),
    );
    const ignored = read('.dockerignore').split('\n');
    for (const dir of ['dev', 'test', 'bench', 'hack']) expect(ignored).toContain(dir);
  });

  it('has no import from src/ into dev/, test/ or bench/', () => {
    const offending = tsFiles(join(ROOT, 'src')).flatMap((file) =>
      [
        ...readFileSync(file, 'utf8').matchAll(/from\s+'((?:\.\.\/)+(?:dev|test|bench)\/[^']*)'/g),
      ].map((m) => `${relative(ROOT, file)} imports ${m[1] ?? ''}`),
    );
    expect(offending).toEqual([]);
    // The pattern finds such an import (so the check above can fail).
    expect("import { x } from '../../dev/local/world.js';").toMatch(
      /from\s+'((?:\.\.\/)+(?:dev|test|bench)\/[^']*)'/,
    );
  });
});
