// Finds processes by what their command line mentions (every control-plane child names its temp
// dir in a flag), so teardown tests can prove that nothing was left behind.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Reads from /proc for a process that may exit meanwhile: undefined when it is gone (ENOENT,
 * between readdir and read) or exiting during the read (ESRCH).
 */
export function readProc<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw err;
  }
}

export function processesMentioning(needle: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = readProc(() =>
      readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '),
    );
    // The process exited between readdir and read: it is not left behind.
    if (cmdline === undefined) continue;
    if (cmdline.includes(needle) && Number(entry) !== process.pid)
      found.push({ pid: Number(entry), cmdline });
  }
  return found;
}
