// The cron grammar of deployment windows (`spec.schedule.allow`/`deny`), defined once: the
// controller checks expressions with `cronProblems`, and the CRD's CEL rules are the regular
// expressions built here (test/unit/progression/cron-grammar.test.ts checks that crds/canary.yaml
// carries exactly `cronCelRules()`, and the integration test runs the same table against the API
// server). The regexes use only syntax that JavaScript and RE2 (CEL) read alike.
//
// An expression is five fields separated by spaces. A field is `*` or a comma-separated list of
// items; an item is `*`, a value or a range `a-b`, optionally followed by a step `/n`. Values
// are decimal (one leading zero allowed) within the field's range, or names (jan-dec, sun-sat,
// any case). Not accepted, although cron-parser knows them: `?`, `L`, `W`, `#`, `H` (random) and
// `@daily`-style macros. A reversed range (`5-1`) matches the grammar but cron-parser refuses it,
// so the controller reports it (InvalidSpec) where the CRD cannot.

export interface CronField {
  /** The field's name in messages, for example "day of month". */
  readonly name: string;
  /** Regex (no anchors) of one value: a number in range or a name. */
  readonly value: string;
  /** Regex (no anchors) of a step: 1 up to the field's largest value. */
  readonly step: string;
  /** What the field takes, for messages. */
  readonly range: string;
}

const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const DAYS = 'sun|mon|tue|wed|thu|fri|sat';

export const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', value: '[0-5]?[0-9]', step: '0?[1-9]|[1-5][0-9]', range: '0-59' },
  { name: 'hour', value: '[01]?[0-9]|2[0-3]', step: '0?[1-9]|1[0-9]|2[0-3]', range: '0-23' },
  {
    name: 'day of month',
    value: '0?[1-9]|[12][0-9]|3[01]',
    step: '0?[1-9]|[12][0-9]|3[01]',
    range: '1-31',
  },
  {
    name: 'month',
    value: `0?[1-9]|1[0-2]|${MONTHS}`,
    step: '0?[1-9]|1[0-2]',
    range: '1-12 or jan-dec',
  },
  {
    name: 'day of week',
    value: `0?[0-7]|${DAYS}`,
    step: '0?[1-7]',
    range: '0-7 (0 and 7 are Sunday) or sun-sat',
  },
];

/** One field's regex (no anchors), over the lower-cased expression. */
export function fieldPattern(field: CronField): string {
  const value = `(${field.value})`;
  const item = `(\\*|${value}(-${value})?)(/(${field.step}))?`;
  return `${item}(,${item})*`;
}

/** Five space-separated fields of cron characters; checked before the fields are. */
export const CRON_SHAPE = '^[0-9A-Za-z*,/-]+( +[0-9A-Za-z*,/-]+){4}$';

/** The whole lower-cased expression matches when its field number `index` (0-based) is valid. */
export function fieldInExpression(index: number): string {
  const field = CRON_FIELDS[index];
  if (field === undefined) throw new RangeError(`cron has 5 fields, not ${index + 1}`);
  return `^([^ ]+ +){${index}}(${fieldPattern(field)})( |$)`;
}

export const SHAPE_MESSAGE =
  'must be a 5-field cron expression (minute hour day-of-month month day-of-week) of digits, names, *, commas, ranges (a-b) and steps (/n)';

export const fieldMessage = (field: CronField): string =>
  `${field.name} field must be * or ${field.range}, in lists (a,b), ranges (a-b) and steps (/n)`;

export interface CelRule {
  readonly rule: string;
  readonly message: string;
}

const celString = (s: string): string => `'${s.replaceAll('\\', '\\\\')}'`;

/** The x-kubernetes-validations of one schedule expression, as they stand in crds/canary.yaml. */
export function cronCelRules(): CelRule[] {
  const shape = `self.matches(${celString(CRON_SHAPE)})`;
  return [
    { rule: shape, message: SHAPE_MESSAGE },
    ...CRON_FIELDS.map((field, i) => ({
      rule: `!${shape} || self.lowerAscii().matches(${celString(fieldInExpression(i))})`,
      message: fieldMessage(field),
    })),
  ];
}

/** What is wrong with a schedule expression, in the CRD's words; empty when it is well-formed. */
export function cronProblems(expression: string): string[] {
  if (!new RegExp(CRON_SHAPE).test(expression)) return [SHAPE_MESSAGE];
  const lower = expression.toLowerCase();
  return CRON_FIELDS.filter((_, i) => !new RegExp(fieldInExpression(i)).test(lower)).map(
    fieldMessage,
  );
}
