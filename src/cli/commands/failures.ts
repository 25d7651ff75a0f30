// Turning an error into one readable stderr line and an exit code. Commands handle what they
// expect (a missing Canary, a rejected operation) themselves; this is for everything else, and
// prints the cause chain so "request failed" comes with the ECONNREFUSED behind it.
import { inspect } from 'node:util';
import { isWeightlifterError } from '../../errors/catalogue.js';
import { isNotFound } from '../../kube/errors.js';
import { EXIT, type CliDeps } from './context.js';
import { clean } from '../render/style.js';

export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const message = current instanceof Error ? current.message : inspect(current);
    if (!parts.some((p) => p.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  const code = isWeightlifterError(err) ? ` [${err.code}]` : '';
  return clean(parts.join(': ')) + code;
}

export function reportFailure(deps: CliDeps, err: unknown): void {
  deps.stderr.write(`weightlifter: ${describeError(err)}\n`);
  deps.setExitCode(EXIT.failed);
}

export function notFoundMessage(what: string, namespace: string, name: string): string {
  return `${what} ${namespace}/${name} not found`;
}

export { isNotFound };
