// `-o json|yaml`: the summary as data. JSON is one document per line in watch mode (NDJSON), YAML
// documents are separated by `---`.
import { stringify } from 'yaml';

export const OUTPUT_FORMATS = ['text', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function isOutputFormat(v: unknown): v is OutputFormat {
  return (OUTPUT_FORMATS as readonly unknown[]).includes(v);
}

export function renderStructured(data: unknown, format: 'json' | 'yaml', compact = false): string {
  if (format === 'json') return `${JSON.stringify(data, null, compact ? undefined : 2)}\n`;
  return `${compact ? '---\n' : ''}${stringify(data)}`;
}
