// docs/lifecycle.md's diagram is drawn from the lifecycle machine (src/machine/lifecycle.ts, built
// from src/api/phases.ts); a machine or table change without `npm run docs:lifecycle` fails here.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { PHASES } from '../../../src/api/constants.js';
import { PHASE_TABLE } from '../../../src/api/phases.js';
import { transitionLabel } from '../../../src/machine/lifecycle.js';
import { RULES, RULE_IDS } from '../../../src/machine/rules.js';
import {
  DOC_PATH,
  lifecycleEdges,
  renderLifecycle,
  updatePage,
} from '../../../hack/lifecycle-diagram.js';

describe('the lifecycle page', () => {
  it('is up to date with the lifecycle machine (refresh: npm run docs:lifecycle)', () => {
    const page = readFileSync(DOC_PATH, 'utf8');
    expect(updatePage(page)).toBe(page);
  });

  it('walks every transition of the machine, which are those of the rule table', () => {
    const fromTable = RULE_IDS.flatMap((id) => {
      const rule = RULES[id];
      return rule.from.flatMap((from) =>
        rule.to.flatMap((t, i) =>
          t.phase === from ? [] : [`${from} -[${transitionLabel(rule, i)}]-> ${t.phase}`],
        ),
      );
    });
    const walked = lifecycleEdges().map((e) => `${e.from} -[${e.rule}]-> ${e.to}`);
    expect(walked.sort()).toEqual(fromTable.sort());
  });

  it('draws each edge, lists the rules that lead from everywhere, and tabulates every phase', () => {
    const block = renderLifecycle();
    const lines = block.split('\n');
    expect(lines).toContain('  [*] --> Initializing');
    expect(lines).toContain('  Promoting --> Finalising: primary runs the revision');
    expect(lines).toContain('- to `Terminating` from every other phase: Canary deleted');
    expect(lines).toContain(
      '- to `Initializing` from every phase but `Terminating`: primary missing and nothing promoted yet',
    );
    for (const e of lifecycleEdges()) {
      const drawn = lines.includes(`  ${e.from} --> ${e.to}: ${e.rule}`);
      const listed = lines.some((l) => l.startsWith(`- to \`${e.to}\``) && l.endsWith(e.rule));
      expect(drawn || listed ? 'shown' : `${e.from} -> ${e.to} (${e.rule}) missing`).toBe('shown');
    }
    for (const p of PHASES) {
      const row = lines.find((l) => l.startsWith(`| \`${p}\` |`));
      expect(row).toContain(` | ${PHASE_TABLE[p].promoted} | `);
    }
    expect(updatePage(`x\n${block}\n`)).toBe(`x\n${block}\n`);
    expect(() => updatePage('no markers')).toThrow('no generated block');
  });
});
