// Finds processes by what their command line mentions (every control-plane child names its temp
// dir in a flag), so teardown tests can prove that nothing was left behind.
import { readdirSync, readFileSync } from 'node:fs';

export function processesMentioning(needle: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch (err) {
      // The process exited between readdir and read: it is not left behind.
      if (
        (err as NodeJS.ErrnoException).code === 'ENOENT' ||
        (err as NodeJS.ErrnoException).code === 'ESRCH'
      )
        continue;
      throw err;
    }
    if (cmdline.includes(needle) && Number(entry) !== process.pid)
      found.push({ pid: Number(entry), cmdline });
  }
  return found;
}
