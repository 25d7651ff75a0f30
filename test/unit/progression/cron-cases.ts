// Schedule expressions and what the grammar says of them: the unit test runs them through
// src/progression/cron-grammar.ts, the CRD integration test through the real API server's CEL.
// `field` is the field named in the refusal ('shape' for the whole-expression rule).

export interface CronCase {
  readonly expression: string;
  readonly field: null | 'shape' | 'minute' | 'hour' | 'day of month' | 'month' | 'day of week';
}

export const cronCases: readonly CronCase[] = [
  { expression: '* * * * *', field: null },
  { expression: '* 8-17 * * 1-5', field: null },
  { expression: '*/15 0,12 1-7/2 jan-mar,DEC mon-fri', field: null },
  { expression: '59 23 31 12 7', field: null },
  { expression: '0 0 1 1 0', field: null },
  { expression: '05 09 01 01 00', field: null },
  { expression: '0  2   *  Jul   Sun', field: null },
  { expression: '5/10 * * */12 */7', field: null },
  { expression: '99 99 99 99 99', field: 'minute' },
  { expression: '60 * * * *', field: 'minute' },
  { expression: '*/60 * * * *', field: 'minute' },
  { expression: '0 24 * * *', field: 'hour' },
  { expression: '0 8-25 * * *', field: 'hour' },
  { expression: '0 0 0 * *', field: 'day of month' },
  { expression: '0 0 32 * *', field: 'day of month' },
  { expression: '0 0 L * *', field: 'day of month' },
  { expression: '0 0 15W * *', field: 'day of month' },
  { expression: '0 0 * 13 *', field: 'month' },
  { expression: '0 0 * 0 *', field: 'month' },
  { expression: '0 0 * janu *', field: 'month' },
  { expression: '0 0 * * 8', field: 'day of week' },
  { expression: '0 0 * * 1#2', field: 'shape' },
  { expression: '0 0 * * mon,', field: 'day of week' },
  { expression: 'H * * * *', field: 'minute' },
  { expression: '1,,2 * * * *', field: 'minute' },
  { expression: '1-5-7 * * * *', field: 'minute' },
  { expression: '? * * * *', field: 'shape' },
  { expression: '@daily', field: 'shape' },
  { expression: '* 8-17 * *', field: 'shape' },
  { expression: '0 * 8-17 * * 1-5', field: 'shape' },
  { expression: ' * * * * *', field: 'shape' },
];
