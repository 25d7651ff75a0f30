// `validate` output: problems grouped by document, each as `<field path>: <message>` with who
// found it, notes after, and a one-line verdict.
import { docLabel, type Note, type Problem } from '../commands/validate-types.js';
import { clean, paint, type Style } from './style.js';

export interface ValidationReport {
  readonly file: string;
  readonly documents: number;
  readonly problems: readonly Problem[];
  readonly notes: readonly Note[];
}

export function renderReport(r: ValidationReport, style: Style): string[] {
  const lines: string[] = [];
  const byDoc = new Map<number, Problem[]>();
  for (const p of r.problems) byDoc.set(p.doc.index, [...(byDoc.get(p.doc.index) ?? []), p]);
  for (const problems of [...byDoc.entries()].sort(([a], [b]) => a - b).map(([, ps]) => ps)) {
    const first = problems[0];
    if (first === undefined) continue;
    lines.push(`${r.file}: ${paint(style, 'bold', docLabel(first.doc))}`);
    for (const p of problems) {
      const field = p.field === '' ? '' : `${paint(style, 'yellow', clean(p.field))}: `;
      lines.push(
        `  ${paint(style, 'red', style.unicode ? '✗' : 'x')} ${field}${clean(p.message)} ${paint(style, 'dim', `(${p.source})`)}`,
      );
    }
  }
  for (const n of r.notes) {
    const what = n.warning === true ? paint(style, 'yellow', 'warning') : 'note';
    lines.push(`${r.file}: ${docLabel(n.doc)}: ${what}: ${clean(n.message)}`);
  }
  const docs = `${r.documents} document${r.documents === 1 ? '' : 's'}`;
  if (r.problems.length === 0) {
    lines.push(paint(style, 'green', `${r.file}: ${docs} valid`));
  } else {
    const n = r.problems.length;
    lines.push(
      paint(
        style,
        'red',
        `${r.file}: ${n} problem${n === 1 ? '' : 's'} in ${byDoc.size} of ${docs}`,
      ),
    );
  }
  return lines;
}
