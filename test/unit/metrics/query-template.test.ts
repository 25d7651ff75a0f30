import { describe, expect, it } from '@jest/globals';
import { TemplateError } from '../../../src/metrics/template-errors.js';
import {
  mergeVariables,
  renderQuery,
  type TemplateContext,
} from '../../../src/metrics/query-template.js';

const ctx: TemplateContext = {
  namespace: 'test',
  target: 'podinfo',
  interval: '1m',
  variables: { direction: 'inbound', code: '5..' },
};

describe('renderQuery', () => {
  it('renders every known placeholder, with or without spaces', () => {
    const r = renderQuery(
      'sum(rate(response_total{namespace="{{ namespace }}",deployment="{{target}}",direction="{{  variables.direction }}",status_code!~"{{ variables.code }}"}[{{ interval }}]))',
      ctx,
    );
    expect(r).toEqual({
      ok: true,
      query:
        'sum(rate(response_total{namespace="test",deployment="podinfo",direction="inbound",status_code!~"5.."}[1m]))',
    });
  });

  it('leaves PromQL braces alone and inserts values containing braces verbatim', () => {
    const r = renderQuery('up{job="{{ variables.job }}"}', { ...ctx, variables: { job: 'a{b}' } });
    expect(r).toEqual({ ok: true, query: 'up{job="a{b}"}' });
  });

  it.each([
    ['an unknown builtin', '{{ service }}', ['service']],
    ['an undefined variable', '{{ variables.missing }}', ['variables.missing']],
    ['Go template syntax', '{{ .Values.x }}', ['.Values.x']],
    ['an empty placeholder', 'x{{ }}', ['']],
    ['a variable on the prototype', '{{ variables.toString }}', ['variables.toString']],
    ['several at once', '{{ nope }} and {{ variables.x }}', ['nope', 'variables.x']],
  ])('rejects %s with a typed error naming it', (_name, template, names) => {
    const r = renderQuery(template, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(TemplateError);
    expect(r.error.code).toBe('WL_TEMPLATE_RENDER_FAILED');
    expect(r.error.reason).toBe('UnknownVariable');
    expect(r.error.placeholders).toEqual(names);
    for (const n of names) expect(r.error.message).toContain(`{{ ${n} }}`);
  });

  it.each([
    ['an unclosed placeholder', 'up{{ namespace '],
    ['a stray closing pair', 'up }} {{ target }}'],
  ])('rejects %s as a syntax error', (_name, template) => {
    const r = renderQuery(template, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toBe('TemplateSyntax');
  });

  it('lets metric variables override template defaults', () => {
    expect(mergeVariables({ a: '1', b: '2' }, { b: '3' })).toEqual({ a: '1', b: '3' });
    expect(mergeVariables(undefined, undefined)).toEqual({});
  });
});
