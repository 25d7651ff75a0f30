// `npm start [-- --once]`: the demo's few settings, from flags first, then the environment.
export interface DemoOptions {
  /** Stop everything and exit after the story instead of staying up (tests, CI, recordings). */
  readonly once: boolean;
  /** Deadline for each release to reach its end (promoted / rolled back). */
  readonly releaseTimeoutMs: number;
  /** pino level of the controller and world logs (they go to a file, never to the terminal). */
  readonly logLevel: string;
}

export const DEMO_ENV = {
  once: 'WEIGHTLIFTER_DEMO_EXIT',
  logLevel: 'LOG_LEVEL',
} as const;

export const USAGE = `usage: npm start [-- --once]

  --once   tell the story, then stop everything and exit (also: ${DEMO_ENV.once}=1)
  --help   this text
`;

export type ParsedArgs =
  { readonly help: true } | { readonly help: false; readonly options: DemoOptions };

/** Throws on an unknown flag, with the usage in the message. */
export function parseDemoArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedArgs {
  let once = isTrue(env[DEMO_ENV.once]);
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--once') once = true;
    else throw new TypeError(`unknown argument "${arg}"\n\n${USAGE}`);
  }
  return {
    help: false,
    options: { once, releaseTimeoutMs: 150_000, logLevel: env[DEMO_ENV.logLevel] ?? 'info' },
  };
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes'].includes(v.trim().toLowerCase());
}
