// Column-aligned tables (kubectl style: no borders, two spaces between columns). Cells may carry
// our own colour codes; widths are computed on what is visible.
import { visibleLength } from './style.js';

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

function pad(cell: string, width: number, align: Align): string {
  const gap = ' '.repeat(Math.max(0, width - visibleLength(cell)));
  return align === 'right' ? gap + cell : cell + gap;
}

/** Lines of the table; the last column is not padded (no trailing spaces). */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string[] {
  const widths = columns.map((c, i) =>
    Math.max(visibleLength(c.header), ...rows.map((r) => visibleLength(r[i] ?? ''))),
  );
  const line = (cells: readonly string[]): string =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        const last = i === columns.length - 1;
        const align = c.align ?? 'left';
        return last && align === 'left' ? cell : pad(cell, widths[i] ?? 0, align);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)];
}
