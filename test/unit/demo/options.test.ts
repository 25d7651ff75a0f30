import { describe, expect, it } from '@jest/globals';
import { parseDemoArgs } from '../../../dev/demo/options.js';

describe('parseDemoArgs', () => {
  it('stays up by default', () => {
    expect(parseDemoArgs([], {})).toMatchObject({ help: false, options: { once: false } });
  });

  it.each([
    [['--once'], {}],
    [[], { WEIGHTLIFTER_DEMO_EXIT: '1' }],
    [[], { WEIGHTLIFTER_DEMO_EXIT: 'true' }],
  ])('exits after the story with %j %j', (argv, env) => {
    expect(parseDemoArgs(argv, env)).toMatchObject({ help: false, options: { once: true } });
  });

  it('treats WEIGHTLIFTER_DEMO_EXIT=0 as off', () => {
    expect(parseDemoArgs([], { WEIGHTLIFTER_DEMO_EXIT: '0' })).toMatchObject({
      options: { once: false },
    });
  });

  it('takes the log level from LOG_LEVEL', () => {
    expect(parseDemoArgs([], { LOG_LEVEL: 'debug' })).toMatchObject({
      options: { logLevel: 'debug' },
    });
  });

  it('routes over SMI by default, over Gateway API with --router gatewayapi', () => {
    expect(parseDemoArgs([], {})).toMatchObject({ options: { router: 'smi' } });
    expect(parseDemoArgs(['--router', 'gatewayapi'], {})).toMatchObject({
      options: { router: 'gatewayapi', once: false },
    });
    expect(parseDemoArgs(['--once', '--router=smi'], {})).toMatchObject({
      options: { router: 'smi', once: true },
    });
  });

  it('refuses a router it does not know, or none, with the usage', () => {
    expect(() => parseDemoArgs(['--router', 'istio'], {})).toThrow(
      /--router takes smi or gatewayapi, not "istio"[\s\S]*usage/,
    );
    expect(() => parseDemoArgs(['--router'], {})).toThrow(/not null/);
  });

  it('answers --help and refuses unknown arguments with the usage', () => {
    expect(parseDemoArgs(['--help'], {})).toEqual({ help: true });
    expect(() => parseDemoArgs(['--forever'], {})).toThrow(
      /unknown argument "--forever"[\s\S]*usage/,
    );
  });
});
