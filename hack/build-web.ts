// Bundles the dashboard's front end (web/) into dist/web/main.js and main.css by running
// `npm run build:web`'s esbuild command (package.json holds it once, for the image too). The
// integration tests' global setup and the demo run it; it takes well under a second.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildWeb(): Promise<{ bytes: number }> {
  const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [bin, ...args] = (pkg.scripts['build:web'] ?? '').split(' ');
  if (bin !== 'esbuild') throw new Error('package.json build:web is not an esbuild command');
  await promisify(execFile)(`${root}node_modules/.bin/esbuild`, args, { cwd: root });
  const sizes = await Promise.all(
    ['main.js', 'main.css'].map(async (f) => (await stat(`${root}dist/web/${f}`)).size),
  );
  return { bytes: sizes.reduce((a, b) => a + b, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { bytes } = await buildWeb();
  process.stdout.write(`dashboard front end: dist/web/ (${(bytes / 1024).toFixed(1)} KiB)\n`);
}
