// Terminal styling decided once per output stream: colour only on a TTY and without NO_COLOR
// (https://no-color.org: any non-empty value disables colour), box-drawing characters only on a
// TTY. Text that comes from the cluster (messages, event notes) is untrusted: a status message
// carrying escape sequences must not repaint the user's terminal, so `clean` strips every control
// character whatever the stream.

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
  readonly rows?: number | undefined;
}

export interface Style {
  readonly color: boolean;
  /** Unicode blocks for bars; ASCII otherwise (pipes, logs, CI). */
  readonly unicode: boolean;
  /** The stream is a terminal: redrawing is allowed. */
  readonly tty: boolean;
  readonly width: number;
  /** Terminal height, when known (redrawing a frame taller than the screen needs a full clear). */
  readonly height: number | null;
}

export type Env = Readonly<Record<string, string | undefined>>;

export function styleFor(stream: OutputStream, env: Env): Style {
  const tty = stream.isTTY === true;
  const noColor = (env['NO_COLOR'] ?? '') !== '' || env['TERM'] === 'dumb';
  return {
    color: tty && !noColor,
    unicode: tty,
    tty,
    width: tty && stream.columns !== undefined && stream.columns > 0 ? stream.columns : 100,
    height: tty && stream.rows !== undefined && stream.rows > 0 ? stream.rows : null,
  };
}

export const PLAIN: Style = { color: false, unicode: false, tty: false, width: 100, height: null };

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
} as const;
export type Tone = keyof typeof CODES;

export function paint(style: Style, tone: Tone, text: string): string {
  if (!style.color || text === '') return text;
  const [on, off] = CODES[tone];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

// C0 controls (but not tab/newline handled by the caller), DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;

/** Untrusted single-line text: escape sequences removed, other controls become spaces. */
export function clean(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, ' ');
}

/** Display width of text that may contain our own colour codes. */
export function visibleLength(text: string): number {
  // Code points, not grapheme clusters: close enough for column alignment of cluster text.
  // eslint-disable-next-line @typescript-eslint/no-misused-spread
  return [...text.replace(ANSI, '')].length;
}

/** Shortens plain text to `max` characters, marking the cut (ASCII marker without unicode). */
export function truncate(text: string, max: number, style: Style): string {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points (see above)
  const chars = [...text];
  if (chars.length <= max) return text;
  const marker = style.unicode ? '…' : '...';
  if (max <= marker.length) return chars.slice(0, max).join('');
  return `${chars.slice(0, max - marker.length).join('')}${marker}`;
}
