// Counts the controller's API requests from the kube-apiserver's audit log (JSON lines), not from
// the controller's own counters: what the server saw from that user is what it cost.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** Audit policy: metadata of the controller identity's requests only (the rest is not needed). */
export function auditPolicyFor(user: string): string {
  return `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    users: [${JSON.stringify(user)}]
  - level: None
`;
}

export const WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete']);

export interface AuditCount {
  readonly requests: number;
  readonly writes: number;
  readonly byVerb: Readonly<Record<string, number>>;
  /** `verb resource[/subresource]`, e.g. `patch canaries/status`. */
  readonly byCall: Readonly<Record<string, number>>;
}

interface AuditEvent {
  auditID?: string;
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string };
  requestReceivedTimestamp?: string;
}

const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

/**
 * Requests by `user` received in [fromMs, toMs). A watch is logged at ResponseStarted and again at
 * ResponseComplete: one request per auditID.
 */
export async function countRequests(
  path: string,
  user: string,
  fromMs: number,
  toMs: number,
): Promise<AuditCount> {
  const seen = new Set<string>();
  const byVerb: Record<string, number> = {};
  const byCall: Record<string, number> = {};
  let requests = 0;
  let writes = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const e = JSON.parse(line) as AuditEvent;
    if (e.user?.username !== user || e.auditID === undefined || seen.has(e.auditID)) continue;
    const at = Date.parse(e.requestReceivedTimestamp ?? '');
    if (!(at >= fromMs && at < toMs)) continue;
    seen.add(e.auditID);
    const verb = e.verb ?? '?';
    const ref = e.objectRef;
    const resource = `${ref?.resource ?? '?'}${ref?.subresource === undefined ? '' : `/${ref.subresource}`}`;
    requests++;
    if (WRITE_VERBS.has(verb)) writes++;
    bump(byVerb, verb);
    bump(byCall, `${verb} ${resource}`);
  }
  return { requests, writes, byVerb, byCall };
}

/**
 * What ends "quiet" (bench/quiet.ts): any request of the user, or only its writes of objects other
 * than Events. A peer whose event broadcaster shares its client's rate limit with its polling
 * (Flagger) keeps sending the Events of past transitions, one per throttled slot, long after it
 * has stopped changing anything.
 */
export type QuietOn = 'requests' | 'writes but Events';

/** Whether an audit event of the user counts against "quiet". */
export function breaksQuiet(on: QuietOn, e: Pick<AuditEvent, 'verb' | 'objectRef'>): boolean {
  if (on === 'requests') return true;
  return WRITE_VERBS.has(e.verb ?? '') && e.objectRef?.resource !== 'events';
}

/**
 * Follows the audit log from where it last stopped and counts `user`'s requests that break quiet
 * (`on`) seen so far: how the bench tells that a controller went quiet without asking it.
 */
export class AuditTail {
  #offset = 0;
  #rest = '';
  #count = 0;

  constructor(
    private readonly path: string,
    private readonly user: string,
    private readonly on: QuietOn,
  ) {}

  async count(): Promise<number> {
    const handle = await open(this.path, 'r');
    try {
      const { size } = await handle.stat();
      if (size <= this.#offset) return this.#count;
      const buf = Buffer.alloc(size - this.#offset);
      const { bytesRead } = await handle.read(buf, 0, buf.length, this.#offset);
      this.#offset += bytesRead;
      const lines = (this.#rest + buf.toString('utf8', 0, bytesRead)).split('\n');
      this.#rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        const e = JSON.parse(line) as AuditEvent;
        if (e.user?.username !== this.user) continue;
        if (!breaksQuiet(this.on, e)) continue;
        this.#count++;
      }
      return this.#count;
    } finally {
      await handle.close();
    }
  }
}
