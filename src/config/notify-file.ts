// The --notify-config file: read and validated once at start-up, like every other setting. A
// missing or unreadable file, bad YAML or a bad field becomes a problem in the one
// WL_CONFIG_INVALID the operator sees, naming the flag, the path and the field: a typo must stop
// the controller from starting, not silence alerts for the first failed rollout.
import { readFileSync } from 'node:fs';
import { notifyConfigFromText } from '../notify/config.js';
import type { NotifyConfig } from '../notify/types.js';
import { isWeightlifterError } from '../errors/catalogue.js';

export type ReadText = (path: string) => string;

export const readTextFile: ReadText = (path) => readFileSync(path, 'utf8');

export interface NotifySettings {
  /** The file the providers came from (shown in the start-up log). */
  readonly path: string;
  readonly config: NotifyConfig;
}

/** What went wrong reading a file, in words (`no such file`, `permission denied`, ...). */
function readProblem(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file (mount the ConfigMap or fix the path)';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Reads and validates the file at `path`; returns undefined and records problems (prefixed with
 * `flag` and the path) when it cannot. `causes` collects the underlying errors.
 */
export function loadNotifySettings(
  path: string,
  flag: string,
  readText: ReadText,
  problems: string[],
  causes: unknown[],
): NotifySettings | undefined {
  let text: string;
  try {
    text = readText(path);
  } catch (err) {
    problems.push(`${flag}: cannot read "${path}": ${readProblem(err)}`);
    causes.push(err);
    return undefined;
  }
  try {
    return { path, config: notifyConfigFromText(text, path) };
  } catch (err) {
    if (!isWeightlifterError(err, 'WL_CONFIG_INVALID')) throw err;
    causes.push(err);
    const fields = err.details['errors'];
    if (Array.isArray(fields)) {
      for (const f of fields) problems.push(`${flag} ${path}: ${String(f)}`);
    } else {
      const why = err.cause instanceof Error ? `: ${err.cause.message.split('\n')[0] ?? ''}` : '';
      problems.push(`${flag} ${path}: not valid YAML or JSON${why}`);
    }
    return undefined;
  }
}
