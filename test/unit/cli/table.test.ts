import { describe, expect, it } from '@jest/globals';
import { paint } from '../../../src/cli/render/style.js';
import { renderTable } from '../../../src/cli/render/table.js';
import { COLOR } from './fixtures.js';

describe('renderTable', () => {
  it('aligns columns by visible width, right-aligns numbers, leaves no trailing spaces', () => {
    const lines = renderTable(
      [{ header: 'NAME' }, { header: 'VALUE', align: 'right' }, { header: 'NOTE' }],
      [
        ['success-rate', '99.7', paint(COLOR, 'green', 'ok')],
        ['p99', '612', ''],
      ],
    );
    expect(lines).toEqual([
      'NAME          VALUE  NOTE',
      'success-rate   99.7  \u001b[32mok\u001b[39m',
      'p99             612',
    ]);
  });

  it('renders a header alone for no rows', () => {
    expect(renderTable([{ header: 'A' }, { header: 'B' }], [])).toEqual(['A  B']);
  });
});
