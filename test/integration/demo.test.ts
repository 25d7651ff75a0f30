// `npm start` as a user runs it: the demo entry in its own Node process, stdout a pipe (not a
// TTY). It starts its own local world (not the shared control plane), so these tests prove the
// whole story end to end: v2 promoted, v3 rolled back, the commands to try, and a clean stop —
// after the story (--once) and on Ctrl-C — that leaves no process and no temp directory behind.
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProc } from './helpers/processes.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** A whole story on a loaded two-core machine: world start, two releases, stop. */
const STORY_MS = 330_000;
/** From a signal to every process gone: the demo's own stop deadline (20 s) and then some. */
const STOP_MS = 45_000;

interface Proc {
  readonly pid: number;
  readonly startTime: string;
}

/** Every live process whose parent chain leads to `root` (detached children keep their parent). */
function descendants(root: number): Proc[] {
  const parent = new Map<number, { ppid: number; startTime: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(() => readFileSync(`/proc/${entry}/stat`, 'utf8'));
    // Gone between readdir and read, or exiting during it: not a descendant any more.
    if (stat === undefined) continue;
    // Fields after the parenthesised command: state(3) ppid(4) ... starttime(22).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') continue;
    parent.set(Number(entry), { ppid: Number(fields[1]), startTime: fields[19] ?? '' });
  }
  const found: Proc[] = [];
  for (const [pid, p] of parent) {
    for (let up = p.ppid; up > 1; up = parent.get(up)?.ppid ?? 0) {
      if (up === root) {
        found.push({ pid, startTime: p.startTime });
        break;
      }
    }
  }
  return found;
}

/** Still running (and not a new process that reused the pid). */
function alive(p: Proc): boolean {
  const stat = readProc(() => readFileSync(`/proc/${p.pid}/stat`, 'utf8'));
  if (stat === undefined) return false;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] !== 'Z' && fields[19] === p.startTime;
}

/** The TCP ports these processes listen on (their socket inodes matched in /proc/net/tcp{,6}). */
function listeningPorts(pids: readonly number[]): Set<number> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    // A process that is exiting may list no fd at all: no name, nothing to read (joining and
    // splitting an empty list gave [''], and readlink of the directory itself failed: EINVAL).
    const fds = readProc(() => readdirSync(`/proc/${pid}/fd`)) ?? [];
    for (const fd of fds) {
      const link = readProc(() => readlinkSync(`/proc/${pid}/fd/${fd}`));
      const inode = link === undefined ? undefined : /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode !== undefined) inodes.add(inode);
    }
  }
  return new Set(
    listening()
      .filter((s) => inodes.has(s.inode))
      .map((s) => s.port),
  );
}

/** Every listening TCP socket on this machine. */
function listening(): { port: number; inode: string }[] {
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; field 9 is the inode.
      .filter((f) => f[3] === '0A')
      .map((f) => ({ port: parseInt(f[1]?.split(':')[1] ?? '', 16), inode: f[9] ?? '' })),
  );
}

/** Whether a server can listen on 127.0.0.1:port right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ port, host: '127.0.0.1' }, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

function commandLine(pid: number): string {
  return readProc(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')) ?? '';
}

interface DemoRun {
  readonly pid: number;
  output(): string;
  /** Settles when the output pipes closed: every process that held them has exited. */
  readonly closed: Promise<void>;
  /** Every descendant seen while it ran (sampled). */
  readonly seen: Map<number, Proc>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(text: string, timeoutMs: number): Promise<void>;
}

const DEMO_COMMAND = [process.execPath, '--import', 'tsx', 'dev/demo/main.ts'] as const;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function startDemo(
  env: Record<string, string>,
  command: readonly string[] = DEMO_COMMAND,
): DemoRun {
  const [file = '', ...args] = command;
  const child = spawn(file, args, {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  if (child.pid === undefined) throw new Error('the demo did not start');
  const pid = child.pid;
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const seen = new Map<number, Proc>();
  const sample = setInterval(() => {
    for (const p of descendants(pid)) seen.set(p.pid, p);
  }, 500);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(sample);
      resolve({ code, signal });
    });
  });
  const closed = new Promise<void>((resolve) => {
    child.on('close', () => {
      resolve();
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    pid,
    output: () => out,
    closed,
    seen,
    exited,
    waitFor: async (text, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (done) throw new Error(`the demo exited before printing "${text}":\n${out}`);
        if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
}

/** The temp directories the demo named in its output (control plane, logs). */
function namedDirs(out: string): string[] {
  const kubeconfig = /export KUBECONFIG=(\S+)/.exec(out)?.[1];
  const logs = /logs\s+(\/\S+)\/controller\.log/.exec(out)?.[1];
  return [kubeconfig === undefined ? undefined : dirname(dirname(kubeconfig)), logs].filter(
    (d): d is string => d !== undefined,
  );
}

describe('npm start (the demo)', () => {
  // Once per router (`npm start` is SMI; `npm start -- --router gatewayapi` a GAMMA mesh), both
  // at once: each demo has its own world, ports and temporary directories.
  it.concurrent.each([
    { router: 'smi', route: 'TrafficSplit', mesh: 'SMI mesh (TrafficSplit)' },
    { router: 'gatewayapi', route: 'HTTPRoute', mesh: 'Gateway API mesh (GAMMA: HTTPRoute)' },
  ])(
    'tells the story over $route — v2 promoted, then v3 rolled back — prints what to try next, and exits 0 leaving nothing behind',
    async ({ router, route, mesh }) => {
      const args = router === 'smi' ? [] : ['--router', router];
      const demo = startDemo({ WEIGHTLIFTER_DEMO_EXIT: '1' }, [...DEMO_COMMAND, ...args]);
      const { code, signal } = await demo.exited;
      const out = demo.output();
      expect({ code, signal, out }).toMatchObject({ code: 0, signal: null });

      const promoted = out.indexOf('v2 promoted after');
      const rolledBack = out.indexOf('v3 rolled back after');
      expect(promoted).toBeGreaterThan(0);
      expect(rolledBack).toBeGreaterThan(promoted);
      // Checked against the cluster, not only the Canary's status.
      expect(out.slice(promoted)).toMatch(/^v2 promoted after \S+: podinfo-primary now runs v2 /);
      expect(out.slice(rolledBack)).toMatch(
        new RegExp(
          `^v3 rolled back after \\S+: ${route} podinfo: podinfo-primary 100 / podinfo-canary 0; podinfo-primary still runs v2 `,
        ),
      );
      expect(out.split('\n')[0]).toMatch(new RegExp(`an emulated ${escapeRegExp(mesh)}$`));
      // Steps on the way: the weight bar through every step, and v3's failing success rate.
      for (const step of ['10% of 50%', '25% of 50%', '50% of 50%']) {
        expect(out.slice(0, promoted)).toContain(step);
      }
      // Caught by fail-fast within the first step: a failing evaluation printed before the rollback.
      expect(out.slice(promoted, rolledBack)).toMatch(
        /fail-fast +success-rate [\d.]+ \(>= 99\) Failed/,
      );
      expect(out).toMatch(/^ {2}export KUBECONFIG=\/\S+\.kubeconfig$/m);
      expect(out).toContain('kubectl get canaries -n demo');
      // The dashboard is up before the story starts, and its URL is printed.
      expect(out.slice(0, out.indexOf('Deploying podinfo'))).toMatch(
        /^Dashboard: http:\/\/127\.0\.0\.1:\d+\/ /m,
      );
      // A pipe gets no escape sequences.
      expect(out).not.toContain('\u001b');

      // The sampling saw the world's processes (etcd, kube-apiserver, Prometheus, ...): none is left.
      expect(demo.seen.size).toBeGreaterThanOrEqual(5);
      expect([...demo.seen.values()].filter(alive)).toEqual([]);
      const dirs = namedDirs(out);
      expect(dirs).toHaveLength(2);
      for (const d of dirs) expect(existsSync(d)).toBe(false);
    },
    STORY_MS,
  );

  it(
    'stops cleanly on SIGINT in the middle of a release: exit code 0, no process, no temp directory',
    async () => {
      const demo = startDemo({});
      await demo.waitFor('Release v2', STORY_MS / 2);
      // Sample once more right before the signal so that everything started is counted.
      for (const p of descendants(demo.pid)) demo.seen.set(p.pid, p);
      process.kill(demo.pid, 'SIGINT');
      const { code, signal } = await demo.exited;
      const out = demo.output();
      expect({ code, signal, out }).toMatchObject({ code: 0, signal: null });
      expect(out).toContain('SIGINT: stopping');
      expect(out).toContain('stopped; temporary files removed');
      expect(out).not.toContain('demo failed');
      const logs = /logs in (\/\S+)/.exec(out)?.[1];
      expect(logs).toBeDefined();
      expect(existsSync(logs ?? '/')).toBe(false);
      expect(demo.seen.size).toBeGreaterThanOrEqual(5);
      expect([...demo.seen.values()].filter(alive)).toEqual([]);
    },
    STORY_MS,
  );

  // `npm start` as typed, signalled at the npm process. npm forwards SIGTERM and SIGINT to its
  // script (which execs node, so the signal reaches the demo and not a shell) and, for SIGTERM,
  // exits at once without waiting; SIGKILL forwards nothing. In every case the demo notices that
  // its parent is gone or signalled and stops everything it started, and its ports are free.
  it.each([
    ['SIGTERM', 'SIGTERM: stopping'],
    ['SIGINT', 'SIGINT: stopping'],
    ['SIGKILL', 'parent process gone: stopping'],
  ] as const)(
    '%s to the npm process of `npm start` stops every child and frees every port',
    async (signal, says) => {
      const demo = startDemo({}, ['npm', 'start']);
      try {
        await demo.waitFor('ready: health and metrics on', STORY_MS / 2);
        const running = descendants(demo.pid);
        for (const p of running) demo.seen.set(p.pid, p);
        // The script exec'd node: npm's own child is the demo, with no shell in between.
        const direct = running.filter(
          (p) =>
            readProc(() => readFileSync(`/proc/${p.pid}/stat`, 'utf8'))
              ?.split(') ')[1]
              ?.split(' ')[1] === String(demo.pid),
        );
        expect(direct.map((p) => commandLine(p.pid))).toEqual([
          expect.stringMatching(/^\S*node --import tsx dev\/demo\/main\.ts/),
        ]);
        // etcd, kube-apiserver, Prometheus, the emulator's and the controller's servers, ...
        const ports = listeningPorts([demo.pid, ...running.map((p) => p.pid)]);
        expect(ports.size).toBeGreaterThanOrEqual(4);

        process.kill(demo.pid, signal);
        // The demo gives itself 20 s to stop before it exits anyway; a demo that never learnt of
        // the signal (a shell in between, an orphan) would run on: that is the failure to report.
        const stopped = await Promise.race([
          demo.closed.then(() => true),
          new Promise<false>((resolve) => {
            setTimeout(() => {
              resolve(false);
            }, STOP_MS).unref();
          }),
        ]);
        if (!stopped)
          throw new Error(`still running ${STOP_MS} ms after ${signal}:\n${demo.output()}`);
        const out = demo.output();
        expect(out).toContain(says);
        expect(out).toContain('stopped; temporary files removed');
        expect(out).not.toContain('demo failed');
        expect(running.length).toBeGreaterThanOrEqual(5);
        expect([...demo.seen.values()].filter(alive)).toEqual([]);
        const stillListening = new Set(listening().map((s) => s.port));
        expect([...ports].filter((p) => stillListening.has(p))).toEqual([]);
        const taken = [];
        for (const port of ports) if (!(await canListen(port))) taken.push(port);
        expect(taken).toEqual([]);
      } finally {
        // Only after a failure is anything left: do not leak it into the next test.
        for (const p of [...demo.seen.values()].filter(alive)) process.kill(p.pid, 'SIGKILL');
      }
    },
    STORY_MS,
  );
});
