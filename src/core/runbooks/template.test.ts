import { describe, expect, it } from 'vitest';
import { fillTemplates, templatePaths, tryFill } from './template.ts';

const scope = { context: { serviceName: 'web' }, params: { count: 3, unit: 'nginx.service', evil: 'x; rm -rf /', dash: '-rf', list: [1, 2] } };

describe('runbook templates', () => {
  it('keeps the type of a whole-string template and fills nested values', () => {
    expect(fillTemplates({ a: '{{params.count}}', b: ['{{params.list}}'], c: { d: '{{ context.serviceName }}' } }, scope))
      .toEqual({ a: 3, b: [[1, 2]], c: { d: 'web' } });
  });

  it('fills a plain word inside a longer string', () => {
    expect(fillTemplates('systemctl restart {{params.unit}}', scope)).toBe('systemctl restart nginx.service');
  });

  it('refuses a value inside a string that could add an argument, an option or shell syntax', () => {
    expect(tryFill('systemctl restart {{params.evil}}', scope)).toMatchObject({ ok: false, reason: expect.stringMatching(/plain word/) });
    expect(tryFill('rm {{params.dash}}', scope)).toMatchObject({ ok: false });
    expect(tryFill('ls {{params.list}}', scope)).toMatchObject({ ok: false });
  });

  it('names the template that has no value', () => {
    expect(tryFill({ a: '{{context.deviceId}}' }, scope)).toEqual({ ok: false, reason: '{{context.deviceId}} has no value' });
  });

  it('leaves step outputs for the run when asked, and fills them then', () => {
    expect(fillTemplates({ pids: '{{steps.find.pids}}', name: '{{context.serviceName}}' }, scope, true)).toEqual({ pids: '{{steps.find.pids}}', name: 'web' });
    expect(fillTemplates({ pids: '{{steps.find.pids}}' }, { steps: { find: { pids: [7, 9] } } })).toEqual({ pids: [7, 9] });
    expect(templatePaths({ a: 'x {{steps.find.pids}} {{params.count}}' })).toEqual(['steps.find.pids', 'params.count']);
  });
});
