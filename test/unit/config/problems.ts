// The problems a WL_CONFIG_INVALID error lists, for tests of resolveConfig and its parts.
import { isWeightlifterError } from '../../../src/errors/catalogue.js';

export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (isWeightlifterError(err, 'WL_CONFIG_INVALID')) return err.details['problems'] as string[];
    throw err;
  }
  throw new Error('expected WL_CONFIG_INVALID');
}
