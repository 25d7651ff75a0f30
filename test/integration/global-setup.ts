// Starts ONE local control plane for the whole integration run and publishes it to the test
// files through process.env (see helpers/env.ts). Jest runs global setup and teardown in the same
// process, so the handle travels to global-teardown.ts on globalThis.
//
// Jest loads this file through require(), where our ESM sources with `.js` import specifiers
// cannot be resolved; tsx loads them the way `npm run cluster` does.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { tsImport } from 'tsx/esm/api';
import type * as ControlPlaneModule from '../../dev/local/control-plane.js';
import type * as BuildWebModule from '../../hack/build-web.js';
import type * as EnvModule from './helpers/env.js';

declare global {
  var __weightlifterControlPlane: ControlPlaneModule.ControlPlane | undefined;
}

export default async function globalSetup(
  _global: unknown,
  project: { rootDir: string },
): Promise<void> {
  const parentURL = pathToFileURL(
    join(project.rootDir, 'test', 'integration', 'global-setup.ts'),
  ).href;
  const { startControlPlane } = (await tsImport(
    '../../dev/local/control-plane.ts',
    parentURL,
  )) as typeof ControlPlaneModule;
  const { TEST_ENV } = (await tsImport('./helpers/env.ts', parentURL)) as typeof EnvModule;

  // The dashboard's tests serve the front end from dist/web/: bundle it first (esbuild, about
  // 0.3 s), so a fresh clone's `npm test` needs no separate build.
  const { buildWeb } = (await tsImport(
    '../../hack/build-web.ts',
    parentURL,
  )) as typeof BuildWebModule;
  const webStart = Date.now();
  const web = await buildWeb();
  process.stderr.write(
    `\nweightlifter: dashboard front end built into dist/web/ (${(web.bytes / 1024).toFixed(1)} KiB) in ${((Date.now() - webStart) / 1000).toFixed(1)} s\n`,
  );

  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' });
  const cp = await startControlPlane({ logger });
  globalThis.__weightlifterControlPlane = cp;
  process.env[TEST_ENV.kubeconfig] = cp.adminKubeconfig;
  process.env[TEST_ENV.controllerKubeconfig] = cp.controllerKubeconfig;
  process.env[TEST_ENV.binDir] = cp.binDir;
  process.env[TEST_ENV.server] = cp.server;
  process.env[TEST_ENV.podsRunByKwok] = String(cp.podsRunByKwok);
  process.env[TEST_ENV.caCert] = cp.ca.cert;
  process.env[TEST_ENV.caKey] = cp.ca.key;
  process.env[TEST_ENV.dir] = cp.dir;
  const notes = cp.notes.length === 0 ? '' : `; ${cp.notes.join('; ')}`;
  process.stderr.write(
    `\nweightlifter: local control plane at ${cp.server} ready in ${(cp.startupMs / 1000).toFixed(1)} s ` +
      `(pods run by kwok: ${cp.podsRunByKwok ? 'yes' : 'no'}${notes})\n`,
  );
}
