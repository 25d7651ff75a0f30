// Bundles the dashboard's front end (web/) into dist/web/main.js and main.css with esbuild: the
// page the `weightlifter dashboard` server serves, with no CDN. `npm run build` and the
// integration tests' global setup run it; it takes well under a second.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildWeb(outdir = `${root}dist/web`): Promise<{ bytes: number }> {
  const result = await build({
    entryPoints: { main: `${root}web/main.tsx` },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { bytes } = await buildWeb();
  process.stdout.write(`dashboard front end: dist/web/ (${(bytes / 1024).toFixed(1)} KiB)\n`);
}
