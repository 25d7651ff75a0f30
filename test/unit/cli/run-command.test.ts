import { describe, expect, it } from '@jest/globals';
import { flagsFromOptions, runCommand } from '../../../src/cli/run-command.js';

function parse(argv: string[]): ReturnType<typeof flagsFromOptions> {
  const cmd = runCommand().exitOverride();
  cmd.parseOptions(argv);
  return flagsFromOptions(cmd.opts());
}

describe('weightlifter run flags', () => {
  it('maps every flag to its config key', () => {
    expect(
      parse([
        '--kubeconfig',
        '/k',
        '--namespace',
        'a,b',
        '--prometheus-url',
        'http://127.0.0.1:9090',
        '--max-concurrent-runs',
        '3',
        '--health-address',
        '127.0.0.1:0',
        '--log-level',
        'debug',
        '--lease-name',
        'l',
        '--lease-duration',
        '8s',
      ]),
    ).toEqual({
      kubeconfig: '/k',
      namespaces: 'a,b',
      prometheusUrl: 'http://127.0.0.1:9090',
      maxConcurrentRuns: '3',
      healthAddress: '127.0.0.1:0',
      logLevel: 'debug',
      leaseName: 'l',
      leaseDuration: '8s',
    });
  });

  it('leaves unset flags out, so the environment and defaults apply', () => {
    expect(parse([])).toEqual({});
  });

  it('accepts --leader-elect, --leader-elect <bool> and --no-leader-elect', () => {
    expect(parse(['--leader-elect'])).toEqual({ leaderElect: true });
    expect(parse(['--leader-elect', 'false'])).toEqual({ leaderElect: 'false' });
    expect(parse(['--no-leader-elect'])).toEqual({ leaderElect: false });
    expect(parse(['--endpoint-gate', 'false'])).toEqual({ endpointGate: 'false' });
  });
});
