import { describe, expect, it } from '@jest/globals';
import { canaryLogger, createRootLogger, isLogLevel } from '../../../src/telemetry/logger.js';

/** A pino destination that keeps parsed records (pino's own test idiom). */
function sink(): { write(line: string): void; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  return {
    records,
    write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>),
  };
}

describe('logger', () => {
  it('writes structured JSON with level names and binds the canary on child loggers', () => {
    const out = sink();
    const root = createRootLogger({ level: 'info', destination: out });
    canaryLogger(root, 'shop', 'web').info({ weight: 10 }, 'advanced');
    expect(out.records).toHaveLength(1);
    expect(out.records[0]).toMatchObject({
      level: 'info',
      msg: 'advanced',
      canary: 'shop/web',
      weight: 10,
    });
    expect(typeof out.records[0]?.['time']).toBe('string');
  });

  it('honours the configured level', () => {
    const out = sink();
    const root = createRootLogger({ level: 'warn', destination: out });
    root.info('hidden');
    root.warn('shown');
    expect(out.records.map((r) => r['msg'])).toEqual(['shown']);
  });

  it('redacts credentials that ride along in logged objects', () => {
    const out = sink();
    createRootLogger({ destination: out }).info(
      { req: { headers: { authorization: 'Bearer x' } } },
      'call',
    );
    expect(JSON.stringify(out.records[0])).not.toContain('Bearer x');
  });

  it.each([
    ['debug', true],
    ['verbose', false],
  ])('isLogLevel(%s) = %s', (level, ok) => {
    expect(isLogLevel(level)).toBe(ok);
  });
});
