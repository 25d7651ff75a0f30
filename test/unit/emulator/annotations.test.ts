import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_BEHAVIOUR,
  EMULATOR_ANNOTATIONS as A,
  parsePodBehaviour,
  parseServiceRps,
} from '../../../dev/local/emulator/annotations.js';

describe('pod template annotations', () => {
  it('defaults when there are none', () => {
    expect(parsePodBehaviour(undefined)).toEqual({ value: DEFAULT_BEHAVIOUR, problems: [] });
  });

  it('reads every annotation', () => {
    const { value, problems } = parsePodBehaviour({
      [A.errorRate]: '0.3',
      [A.errorRateFromWeight]: '50',
      [A.errorStatus]: '503',
      [A.latencyMs]: '250',
      [A.latencyJitter]: '0',
      [A.ready]: 'False',
      [A.readyDelaySeconds]: '2.5',
      [A.cpuMillicoresPerRps]: '0.5',
      'unrelated.example.com/x': 'y',
    });
    expect(problems).toEqual([]);
    expect(value).toEqual({
      errorRate: 0.3,
      errorRateFromWeight: 50,
      errorStatus: 503,
      latencyMs: 250,
      latencyJitter: 0,
      ready: false,
      readyDelaySeconds: 2.5,
      cpuMillicoresPerRps: 0.5,
    });
  });

  it.each([
    [A.errorRate, 'abc', 'not a number; using 0'],
    [A.errorRate, '', 'not a number; using 0'],
    [A.errorRate, '0x1', 'not a number; using 0'],
    [A.errorRate, '30%', 'not a number; using 0'],
    [A.errorRate, '1.5', 'out of range [0, 1]; using 0'],
    [A.errorRate, '-0.1', 'out of range [0, 1]; using 0'],
    [A.errorRateFromWeight, '101', 'out of range [0, 100]; using 0'],
    [A.errorStatus, '404', 'out of range [500, 599]; using 500'],
    [A.errorStatus, '502.5', 'not an integer; using 500'],
    [A.latencyMs, '-5', 'out of range [0, 3600000]; using 5'],
    [A.latencyMs, '250ms', 'not a number; using 5'],
    [A.latencyJitter, '2', 'out of range [0, 1]; using 0.1'],
    [A.ready, 'no', 'not "true" or "false"; using true'],
    [A.readyDelaySeconds, 'soon', 'not a number; using 0'],
    [A.cpuMillicoresPerRps, '5m', 'not a number; using 0'],
    [A.cpuMillicoresPerRps, '-1', 'out of range [0, 1000000]; using 0'],
  ])('ignores %s=%j with a reason', (key, value, reason) => {
    const { value: behaviour, problems } = parsePodBehaviour({ [key]: value });
    expect(problems).toEqual([{ key, value, reason }]);
    expect(behaviour).toEqual(DEFAULT_BEHAVIOUR);
  });

  it('keeps the good annotations when one is bad', () => {
    const { value, problems } = parsePodBehaviour({ [A.errorRate]: 'x', [A.latencyMs]: '40' });
    expect(problems).toHaveLength(1);
    expect(value.latencyMs).toBe(40);
    expect(value.errorRate).toBe(0);
  });
});

describe('service rps annotation', () => {
  it('uses the annotation, else the default', () => {
    expect(parseServiceRps({ [A.rps]: '25' }, 10)).toEqual({ value: 25, problems: [] });
    expect(parseServiceRps({ [A.rps]: '0' }, 10)).toEqual({ value: 0, problems: [] });
    expect(parseServiceRps(undefined, 10)).toEqual({ value: 10, problems: [] });
  });

  it('ignores a bad rate with a reason', () => {
    expect(parseServiceRps({ [A.rps]: 'fast' }, 10)).toEqual({
      value: 10,
      problems: [{ key: A.rps, value: 'fast', reason: 'not a number; using 10' }],
    });
  });
});
