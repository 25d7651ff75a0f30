// `npm run audit:prod`: audits the production dependencies against the registry's advisories
// and fails on a high or critical one that audit-allowlist.json does not excuse (audit-policy.ts).
// It needs the registry's advisory endpoint; `npm test` does not run it (docs/security.md says
// why), and its policy is unit-tested in test/unit/supply-chain/.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { advisoriesOf, judgeAudit, type AllowEntry } from './audit-policy.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function npmAudit(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      ['audit', '--omit=dev', '--json'],
      { cwd: REPO, maxBuffer: 64 * 1024 * 1024 },
      // npm audit exits non-zero when it finds anything; the JSON says what.
      (err, stdout) => {
        if (stdout.trim() !== '') resolve(stdout);
        else reject(err ?? new Error('npm audit printed nothing'));
      },
    );
  });
}

const allowList = (
  JSON.parse(await readFile(`${REPO}audit-allowlist.json`, 'utf8')) as {
    advisories: AllowEntry[];
  }
).advisories;
const verdict = judgeAudit(
  advisoriesOf(JSON.parse(await npmAudit())),
  allowList,
  new Date().toISOString().slice(0, 10),
);
for (const a of verdict.allowed)
  console.log(`allowed by audit-allowlist.json: ${a.id} ${a.package}`);
for (const e of verdict.badEntries) console.error(`audit-allowlist.json: ${e}`);
for (const a of verdict.blocking) {
  console.error(
    `${a.severity} advisory in a production dependency: ${a.package}: ${a.title} (${a.url})`,
  );
}
if (verdict.blocking.length > 0 || verdict.badEntries.length > 0) process.exit(1);
console.log('npm audit --omit=dev: no high or critical advisory in production dependencies');
