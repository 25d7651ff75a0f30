// The verdict on `npm audit --omit=dev --json` (issue 22 item 4): a high or critical advisory in a
// production dependency fails, unless the reviewed allow-list (audit-allowlist.json) names it with
// a reason and an expiry that has not passed. An expired or incomplete entry fails too, so the
// list is reviewed again instead of silently growing. Pure: hack/supply-chain/audit.ts runs npm.

export const BLOCKING_SEVERITIES: ReadonlySet<string> = new Set(['high', 'critical']);

export interface AllowEntry {
  /** The advisory's GHSA id, e.g. GHSA-abcd-1234-wxyz. */
  readonly id: string;
  readonly package: string;
  /** Why it does not apply to weightlifter. */
  readonly reason: string;
  /** YYYY-MM-DD; after it the entry no longer counts. */
  readonly expires: string;
}

export interface Advisory {
  readonly id: string;
  readonly package: string;
  readonly severity: string;
  readonly title: string;
  readonly url: string;
}

export interface AuditVerdict {
  readonly blocking: readonly Advisory[];
  readonly allowed: readonly Advisory[];
  /** Entries that are expired or lack a reason/expiry: each fails the audit. */
  readonly badEntries: readonly string[];
}

/** npm audit's JSON (report version 2): every advisory object under each vulnerable package. */
export function advisoriesOf(report: unknown): Advisory[] {
  const r = (typeof report === 'object' && report !== null ? report : {}) as {
    error?: { summary?: string };
    message?: string;
    vulnerabilities?: Record<string, { via?: unknown[] }>;
  };
  if (r.vulnerabilities === undefined) {
    const why = r.message ?? r.error?.summary ?? JSON.stringify(report).slice(0, 300);
    throw new Error(`npm audit gave no report (the advisory endpoint must answer): ${why}`);
  }
  const found = new Map<string, Advisory>();
  for (const [name, vuln] of Object.entries(r.vulnerabilities)) {
    for (const via of vuln.via ?? []) {
      if (typeof via !== 'object' || via === null) continue;
      const v = via as { url?: string; severity?: string; title?: string; name?: string };
      const url = v.url ?? '';
      const id = /GHSA-[\w-]+/.exec(url)?.[0] ?? url;
      found.set(`${id} ${v.name ?? name}`, {
        id,
        package: v.name ?? name,
        severity: v.severity ?? 'unknown',
        title: v.title ?? '',
        url,
      });
    }
  }
  return [...found.values()];
}

export function judgeAudit(
  advisories: readonly Advisory[],
  allowList: readonly AllowEntry[],
  today: string,
): AuditVerdict {
  const badEntries: string[] = [];
  const valid = allowList.filter((e) => {
    if (e.reason.trim() === '' || !/^\d{4}-\d{2}-\d{2}$/.test(e.expires)) {
      badEntries.push(`${e.id}: needs a reason and an expiry (YYYY-MM-DD)`);
      return false;
    }
    if (e.expires < today) {
      badEntries.push(`${e.id}: expired on ${e.expires}; review it again`);
      return false;
    }
    return true;
  });
  const serious = advisories.filter((a) => BLOCKING_SEVERITIES.has(a.severity));
  const isAllowed = (a: Advisory): boolean =>
    valid.some((e) => e.id === a.id && e.package === a.package);
  return {
    blocking: serious.filter((a) => !isAllowed(a)),
    allowed: serious.filter(isAllowed),
    badEntries,
  };
}
