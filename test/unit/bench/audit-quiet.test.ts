// What ends the bench's wait for a quiet controller: any request of weightlifter's (it sends none
// when idle), but only a peer's writes of objects other than Events (Flagger polls every object
// on each tick, and its rate-limited event broadcaster trickles past transitions' Events).
import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { AuditTail, breaksQuiet } from '../../../bench/audit-log.js';

const line = (user: string, verb: string, resource: string, subresource?: string): string =>
  `${JSON.stringify({
    auditID: `${user}-${verb}-${resource}-${Math.random()}`,
    verb,
    user: { username: user },
    objectRef: { resource, ...(subresource === undefined ? {} : { subresource }) },
  })}\n`;

describe('breaksQuiet', () => {
  it('counts every request of weightlifter', () => {
    expect(breaksQuiet('requests', { verb: 'get', objectRef: { resource: 'canaries' } })).toBe(
      true,
    );
    expect(breaksQuiet('requests', { verb: 'create', objectRef: { resource: 'events' } })).toBe(
      true,
    );
  });

  it("counts a peer's writes of objects, not its reads nor its Events", () => {
    const on = 'writes but Events' as const;
    expect(breaksQuiet(on, { verb: 'list', objectRef: { resource: 'deployments' } })).toBe(false);
    expect(breaksQuiet(on, { verb: 'create', objectRef: { resource: 'events' } })).toBe(false);
    expect(breaksQuiet(on, { verb: 'patch', objectRef: { resource: 'events' } })).toBe(false);
    expect(
      breaksQuiet(on, {
        verb: 'update',
        objectRef: { resource: 'canaries', subresource: 'status' },
      }),
    ).toBe(true);
    expect(breaksQuiet(on, { verb: 'delete', objectRef: { resource: 'services' } })).toBe(true);
  });
});

describe('AuditTail', () => {
  it("follows the log and counts one user's requests that break quiet", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wl-audit-'));
    try {
      const path = join(dir, 'audit.log');
      await writeFile(
        path,
        line('flagger', 'create', 'events') +
          line('flagger', 'get', 'canaries') +
          line('flagger', 'patch', 'trafficsplits') +
          line('someone', 'patch', 'trafficsplits'),
      );
      const tail = new AuditTail(path, 'flagger', 'writes but Events');
      expect(await tail.count()).toBe(1);
      await appendFile(path, line('flagger', 'create', 'events'));
      expect(await tail.count()).toBe(1);
      await appendFile(path, line('flagger', 'update', 'canaries', 'status'));
      expect(await tail.count()).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
