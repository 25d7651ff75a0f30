// The page: index.html is written per server (it carries the CSRF token and the read-only flag);
// the script and stylesheet are the front end `npm run build` bundles into dist/web/ (web/).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WeightlifterError } from '../errors/catalogue.js';

/** src/dashboard/ and dist/dashboard/ both sit two levels below the package root. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export const ASSET_FILES = {
  'main.js': 'text/javascript; charset=utf-8',
  'main.css': 'text/css; charset=utf-8',
} as const;
export type AssetName = keyof typeof ASSET_FILES;

export type Assets = Readonly<Record<AssetName, Buffer>>;

export async function loadAssets(dir: string): Promise<Assets> {
  const entries = await Promise.all(
    (Object.keys(ASSET_FILES) as AssetName[]).map(async (name) => {
      try {
        return [name, await readFile(`${dir}/${name}`)] as const;
      } catch (cause) {
        throw new WeightlifterError(
          'WL_DASHBOARD_NOT_BUILT',
          `the dashboard's front end is not built (${dir}${name} missing): run npm run build`,
          { cause },
        );
      }
    }),
  );
  return Object.fromEntries(entries) as Record<AssetName, Buffer>;
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function indexHtml(page: {
  readonly csrfToken: string;
  readonly readOnly: boolean;
  /** Whether the server charts the checks' series (--prometheus-url). */
  readonly prometheus: boolean;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="wl-csrf" content="${escape(page.csrfToken)}">
<meta name="wl-read-only" content="${String(page.readOnly)}">
<meta name="wl-prometheus" content="${String(page.prometheus)}">
<title>weightlifter</title>
<link rel="stylesheet" href="/assets/main.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="/assets/main.js"></script>
</body>
</html>
`;
}
