import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { registerMetricsApiCommand } from '../../../src/metrics-api/cli.js';
import { isWeightlifterError } from '../../../src/errors/catalogue.js';

/** A program with the command, whose parse errors are thrown instead of exiting the process. */
function program(): { program: Command; errors: string[] } {
  const errors: string[] = [];
  const p = new Command('weightlifter').exitOverride();
  const cmd = registerMetricsApiCommand(p);
  cmd.exitOverride().configureOutput({
    writeErr: (s) => errors.push(s),
    writeOut: () => undefined,
  });
  return { program: p, errors };
}

const argv = (...args: string[]) => ['node', 'weightlifter', 'metrics-api', ...args];

describe('weightlifter metrics-api flags', () => {
  it('declares the flags with their defaults', () => {
    const { program: p } = program();
    const cmd = p.commands.find((c) => c.name() === 'metrics-api');
    expect(cmd?.options.map((o) => o.long)).toEqual([
      '--secure-port',
      '--bind-address',
      '--cert-dir',
      '--tls-cert',
      '--tls-key',
      '--prometheus-url',
      '--mesh',
      '--kubeconfig',
      '--client-ca',
      '--requestheader-allowed-names',
      '--no-token-auth',
      '--log-level',
    ]);
    expect(cmd?.opts()).toMatchObject({
      securePort: 8443,
      bindAddress: '127.0.0.1',
      mesh: 'linkerd',
      tokenAuth: true,
      logLevel: 'info',
    });
  });

  it('requires --prometheus-url', async () => {
    const { program: p, errors } = program();
    await expect(p.parseAsync(argv('--tls-cert', 'a', '--tls-key', 'b'))).rejects.toThrow();
    expect(errors.join('')).toContain('--prometheus-url');
  });

  it.each([
    [['--mesh', 'consul'], 'consul'],
    [['--secure-port', '70000'], 'port'],
  ])('rejects %j', async (flags, mentioned) => {
    const { program: p, errors } = program();
    await expect(
      p.parseAsync(argv('--prometheus-url', 'http://127.0.0.1:9090', ...flags)),
    ).rejects.toThrow();
    expect(errors.join('')).toContain(mentioned);
  });

  it('refuses to start without a serving certificate, with a coded error', async () => {
    const { program: p } = program();
    let caught: unknown;
    try {
      await p.parseAsync(
        argv('--prometheus-url', 'http://127.0.0.1:9090', '--log-level', 'silent'),
      );
    } catch (err) {
      caught = err;
    }
    expect(isWeightlifterError(caught, 'WL_CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toContain('--cert-dir');
  });

  it('refuses --cert-dir together with --tls-cert', async () => {
    const { program: p } = program();
    await expect(
      p.parseAsync(
        argv(
          '--prometheus-url',
          'http://127.0.0.1:9090',
          '--cert-dir',
          '/nonexistent',
          '--tls-cert',
          'x',
          '--log-level',
          'silent',
        ),
      ),
    ).rejects.toThrow('either --cert-dir or --tls-cert/--tls-key');
  });
});
