// Colour and control characters: colour only on a TTY without NO_COLOR; cluster text never
// carries escape sequences to the terminal.
import { describe, expect, it } from '@jest/globals';
import { clean, paint, styleFor, truncate, visibleLength } from '../../../src/cli/render/style.js';
import { rewind } from '../../../src/cli/commands/status-watch.js';
import { COLOR, PLAIN, TTY_NO_COLOR } from './fixtures.js';

describe('styleFor', () => {
  it.each([
    [
      'a TTY',
      { isTTY: true, columns: 120 },
      {},
      { color: true, unicode: true, tty: true, width: 120 },
    ],
    [
      'a TTY with NO_COLOR=1',
      { isTTY: true },
      { NO_COLOR: '1' },
      { color: false, unicode: true, tty: true },
    ],
    [
      'a TTY with an empty NO_COLOR (the spec: only non-empty disables)',
      { isTTY: true },
      { NO_COLOR: '' },
      { color: true },
    ],
    ['a TTY with TERM=dumb', { isTTY: true }, { TERM: 'dumb' }, { color: false }],
    ['a pipe', { isTTY: false }, {}, { color: false, unicode: false, tty: false, width: 100 }],
    ['a stream without isTTY', {}, { FORCE: '1' }, { color: false, tty: false }],
  ])('%s', (_name, stream, env, expected) => {
    expect(styleFor({ write: () => true, ...stream }, env)).toMatchObject(expected);
  });
});

describe('paint', () => {
  it('wraps in SGR codes only with colour on', () => {
    expect(paint(COLOR, 'red', 'x')).toBe('\u001b[31mx\u001b[39m');
    expect(paint(TTY_NO_COLOR, 'red', 'x')).toBe('x');
    expect(paint(PLAIN, 'bold', 'x')).toBe('x');
  });
});

describe('clean', () => {
  it('removes escape sequences and turns other control characters into spaces', () => {
    expect(clean('ok \u001b[2J\u001b[31mred\u001b[0m\r\nnext\u0007\u009b')).toBe('ok red  next  ');
  });
});

describe('visibleLength and truncate', () => {
  it('ignores colour codes and counts code points', () => {
    expect(visibleLength(paint(COLOR, 'green', 'abc'))).toBe(3);
    expect(visibleLength('✓✓')).toBe(2);
  });

  it('marks the cut with … on a TTY and ... elsewhere', () => {
    expect(truncate('abcdefgh', 5, COLOR)).toBe('abcd…');
    expect(truncate('abcdefgh', 5, PLAIN)).toBe('ab...');
    expect(truncate('abc', 5, PLAIN)).toBe('abc');
  });
});

describe('rewind (status --watch on a terminal)', () => {
  it('moves back over the previous frame, or clears the screen when the frame did not fit', () => {
    expect(rewind(0, 40)).toBe('');
    expect(rewind(12, 40)).toBe('\u001b[12F\u001b[J');
    expect(rewind(12, null)).toBe('\u001b[12F\u001b[J');
    expect(rewind(40, 40)).toBe('\u001b[H\u001b[2J');
  });

  it('learns the height from a terminal only', () => {
    expect(styleFor({ write: () => true, isTTY: true, rows: 30 }, {}).height).toBe(30);
    expect(styleFor({ write: () => true, isTTY: false, rows: 30 }, {}).height).toBeNull();
  });
});
