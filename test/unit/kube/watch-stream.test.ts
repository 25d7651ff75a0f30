// The watch stream's framing: newline-delimited JSON in chunks that split lines, and UTF-8
// characters, anywhere. (The stream itself runs against the real API server in
// test/integration/kube-informer.test.ts and kube-client.test.ts.)
import { describe, expect, it } from '@jest/globals';
import { WatchLineParser, type WatchEvent } from '../../../src/kube/watch-stream.js';

const added = {
  type: 'ADDED',
  object: { kind: 'ConfigMap', metadata: { name: 'café', resourceVersion: '10' } },
};
const bookmark = {
  type: 'BOOKMARK',
  object: { kind: 'ConfigMap', metadata: { resourceVersion: '12' } },
};
const error = {
  type: 'ERROR',
  object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' },
};
const stream = Buffer.from(
  [added, bookmark, error].map((e) => `${JSON.stringify(e)}\n`).join(''),
  'utf8',
);

/** Feeds `bytes` in pieces cut at `cuts`, then ends. */
function feed(bytes: Buffer, cuts: readonly number[]): WatchEvent[] {
  const parser = new WatchLineParser();
  const events: WatchEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  events.push(...parser.end());
  return events;
}

describe('WatchLineParser', () => {
  it('yields ADDED, BOOKMARK and ERROR events in order from one chunk', () => {
    expect(feed(stream, [])).toEqual([added, bookmark, error]);
  });

  it('yields the same events however the bytes are cut (mid-line, mid-character)', () => {
    const accent = stream.indexOf('é') + 1; // between the two bytes of "é"
    const firstNewline = stream.indexOf('\n');
    for (const cuts of [[1], [accent], [firstNewline], [firstNewline + 1], [5, accent, 90, 91]]) {
      expect({ cuts, events: feed(stream, cuts) }).toEqual({
        cuts,
        events: [added, bookmark, error],
      });
    }
    const byteByByte = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    expect(feed(stream, byteByByte)).toEqual([added, bookmark, error]);
  });

  it('holds a partial line until its newline, and takes a last line without one at the end', () => {
    const parser = new WatchLineParser();
    const line = JSON.stringify(added);
    expect(parser.push(line.slice(0, 20))).toEqual([]);
    expect(parser.push(line.slice(20))).toEqual([]);
    expect(parser.push('\n\n')).toEqual([added]);
    expect(parser.push(JSON.stringify(bookmark))).toEqual([]);
    expect(parser.end()).toEqual([bookmark]);
  });

  it('rejects a line that is not a watch event', () => {
    expect(() => new WatchLineParser().push('{"kind":"Status"}\n')).toThrow(/not a watch event/);
    expect(() => new WatchLineParser().push('<html>\n')).toThrow(SyntaxError);
  });
});
