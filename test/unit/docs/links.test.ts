// Every relative link in README.md and docs/*.md points at a file or directory that exists, and
// every #anchor at a heading of its target, so moving a section cannot silently break the docs.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Text outside fenced code blocks (a `#` comment in a shell block is not a heading). */
function outsideFences(markdown: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) lines.push(line);
  }
  return lines;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1/-2 for repeats. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of outsideFences(markdown)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m === null) continue;
    const base = (m[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Inline link targets `[text](target)` outside code blocks and code spans. */
function linksOf(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of outsideFences(markdown)) {
    const text = line.replace(/`[^`]*`/g, '``');
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (m[1] !== undefined) targets.push(m[1]);
    }
  }
  return targets;
}

interface DocsFs {
  exists(path: string): boolean;
  isFile(path: string): boolean;
  read(path: string): string;
}

/** Broken relative links of the Markdown file `file` (a path relative to the repository). */
function brokenLinks(file: string, fs: DocsFs): string[] {
  const broken: string[] = [];
  for (const target of linksOf(fs.read(file))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const hash = target.indexOf('#');
    const pathPart = hash === -1 ? target : target.slice(0, hash);
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved =
      pathPart === '' ? file : normalize(join(dirname(file), pathPart)).replace(/\/$/, '');
    if (resolved.startsWith('..') || !fs.exists(resolved)) {
      broken.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!fs.isFile(resolved) || !resolved.endsWith('.md')) {
      broken.push(`${file}: ${target} (an anchor into something that is not Markdown)`);
      continue;
    }
    if (!anchorsOf(fs.read(resolved)).has(anchor)) {
      broken.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
    }
  }
  return broken;
}

const repoFs: DocsFs = {
  exists: (p) => existsSync(join(root, p)),
  isFile: (p) => statSync(join(root, p)).isFile(),
  read: (p) => readFileSync(join(root, p), 'utf8'),
};

function docsFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => relative(root, join(root, 'docs', f)));
  return ['README.md', ...docs];
}

describe('links in README.md and docs/*.md', () => {
  it('finds the docs pages', () => {
    expect(docsFiles()).toEqual(
      expect.arrayContaining(['README.md', 'docs/README.md', 'docs/architecture.md']),
    );
  });

  it.each(docsFiles())('%s: every relative link and anchor resolves', (file) => {
    expect(brokenLinks(file, repoFs)).toEqual([]);
  });
});

describe('the link checker', () => {
  const files: Record<string, string> = {
    'README.md': [
      '# Top',
      '## Install into a cluster',
      '```sh',
      '# not a heading',
      '[in a fence](missing.md)',
      '```',
      'See [concepts](docs/concepts.md#what-happens-to-a-canary), `[code](nowhere.md)`,',
      '[web](https://example.invalid/x.md) and [here](#install-into-a-cluster).',
    ].join('\n'),
    'docs/concepts.md': '# What happens to a Canary\n\n### Evidence: what is checked, and where\n',
    'docs/other.md': '# A\n## Same\n## Same\n',
  };
  const fakeFs: DocsFs = {
    exists: (p) => p in files || p === 'docs' || p === 'src/machine',
    isFile: (p) => p in files,
    read: (p) => files[p] ?? '',
  };

  it('computes GitHub anchors, skipping fenced code and numbering repeats', () => {
    expect([...anchorsOf(files['docs/concepts.md'] ?? '')]).toEqual([
      'what-happens-to-a-canary',
      'evidence-what-is-checked-and-where',
    ]);
    expect([...anchorsOf(files['docs/other.md'] ?? '')]).toEqual(['a', 'same', 'same-1']);
    expect([...anchorsOf(files['README.md'] ?? '')]).toEqual(['top', 'install-into-a-cluster']);
  });

  it('accepts links that resolve and ignores fences, code spans and absolute URLs', () => {
    expect(brokenLinks('README.md', fakeFs)).toEqual([]);
  });

  it('reports a missing file, a missing anchor and a link out of the repository', () => {
    files['docs/broken.md'] = [
      '[gone](removed.md) [moved](concepts.md#writing-a-canary) [up](../../etc/passwd)',
      '[self](#nope) [dir](../src/machine/) [dir anchor](../src/machine/#x)',
    ].join('\n');
    expect(brokenLinks('docs/broken.md', fakeFs)).toEqual([
      'docs/broken.md: removed.md (no such file)',
      'docs/broken.md: concepts.md#writing-a-canary (no heading #writing-a-canary in docs/concepts.md)',
      'docs/broken.md: ../../etc/passwd (no such file)',
      'docs/broken.md: #nope (no heading #nope in docs/broken.md)',
      'docs/broken.md: ../src/machine/#x (an anchor into something that is not Markdown)',
    ]);
  });
});
