import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_MAPPING, alertPriority, parseAlertMapping } from './alertmanager.ts';

describe('Alertmanager label mapping', () => {
  it('maps severity to priority by default: critical and page high, warning medium, info and none low', () => {
    const of = (severity: string) => alertPriority({ alertname: 'X', severity }, DEFAULT_ALERT_MAPPING);
    expect([of('critical'), of('page'), of('warning'), of('info'), of('none'), of('CRITICAL')]).toEqual([
      'high',
      'high',
      'medium',
      'low',
      'low',
      'high',
    ]);
    expect(of('whatever')).toBeUndefined();
    expect(alertPriority({ alertname: 'X' }, DEFAULT_ALERT_MAPPING)).toBeUndefined();
  });

  it('takes other label names and another table from a mapping document, keeping defaults for what it leaves out', () => {
    const mapping = parseAlertMapping(
      { service: ['app'], severity: ['level'], priority: { sev1: 'critical', sev3: 'low' } },
      'M (m.yaml)',
    );
    expect(mapping.service).toEqual(['app']);
    expect(mapping.host).toEqual(['instance']);
    expect(alertPriority({ level: 'sev1', severity: 'info' }, mapping)).toBe('critical');
    expect(alertPriority({ severity: 'critical' }, mapping)).toBeUndefined();
    expect(parseAlertMapping(null, 'M (m.yaml)')).toEqual(DEFAULT_ALERT_MAPPING);
  });

  it('refuses a bad document naming the file and the field', () => {
    expect(() => parseAlertMapping({ priority: { critical: 'urgent' } }, 'M (m.yaml)')).toThrow(
      /^M \(m\.yaml\): priority\.critical: /,
    );
    expect(() => parseAlertMapping({ service: 'app' }, 'M (m.yaml)')).toThrow(/^M \(m\.yaml\): service: /);
    expect(() => parseAlertMapping({ labels: {} }, 'M (m.yaml)')).toThrow(/M \(m\.yaml\): .*labels/);
  });
});
