import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';
import { repoRoot } from './paths.js';

export const FETCH_GATEWAY_API_CRDS = 'bash hack/fetch-gateway-api-crds.sh';

/** Exit status of hack/fetch-gateway-api-crds.sh --cached when the cache lacks the CRDs. */
const EXIT_NOT_CACHED = 4;

/**
 * The cached directory of Gateway API standard-channel CRDs (one YAML file per kind), as
 * hack/fetch-gateway-api-crds.sh put it there. Nothing is fetched here: a missing cache throws
 * WL_LOCAL_GATEWAY_API_CRDS_MISSING naming the command that fills it (hack/setup.sh runs it).
 */
export function gatewayApiCrdDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const script = join(repoRoot(), 'hack', 'fetch-gateway-api-crds.sh');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, '--cached'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (cause) => {
      reject(
        new LocalClusterError(
          LOCAL_ERROR_CODES.GATEWAY_API_CRDS_MISSING,
          `could not run ${script}`,
          {
            cause,
          },
        ),
      );
    });
    child.on('close', (code) => {
      const dir = out.trim();
      if (code === 0 && dir !== '') {
        resolve(dir);
        return;
      }
      const why =
        code === EXIT_NOT_CACHED
          ? 'the Gateway API CRDs are not in the cache'
          : `${script} --cached failed with exit code ${code ?? 'signal'}`;
      reject(
        new LocalClusterError(
          LOCAL_ERROR_CODES.GATEWAY_API_CRDS_MISSING,
          `${why}; fetch them with: ${FETCH_GATEWAY_API_CRDS} (bash hack/setup.sh runs it)`,
          { details: { script, code, stderr: err.trim() } },
        ),
      );
    });
  });
}
