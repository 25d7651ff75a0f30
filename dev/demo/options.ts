// `npm start [-- --once] [-- --router smi|gatewayapi]`: the demo's few settings, from flags first,
// then the environment.

/** The routers the demo can tell its story over; each gets a world whose mesh serves its API. */
export const DEMO_ROUTERS = ['smi', 'gatewayapi'] as const;
export type DemoRouter = (typeof DEMO_ROUTERS)[number];

export interface DemoOptions {
  /**
   * smi: an SMI mesh and a Canary routed by TrafficSplit; gatewayapi: a GAMMA mesh (Gateway API
   * only) and a Canary routed by HTTPRoute. @default 'smi'
   */
  readonly router: DemoRouter;
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

export const USAGE = `usage: npm start [-- --once] [-- --router smi|gatewayapi]

  --once             tell the story, then stop everything and exit (also: ${DEMO_ENV.once}=1)
  --router <router>  smi (default): an SMI mesh, the Canary routed by TrafficSplit;
                     gatewayapi: a Gateway API (GAMMA) mesh, the Canary routed by HTTPRoute
  --help             this text
`;

export type ParsedArgs =
  { readonly help: true } | { readonly help: false; readonly options: DemoOptions };

/** Throws on an unknown flag, with the usage in the message. */
export function parseDemoArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedArgs {
  let once = isTrue(env[DEMO_ENV.once]);
  let router: DemoRouter = 'smi';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--once') once = true;
    else if (arg === '--router' || arg.startsWith('--router=')) {
      const value = arg === '--router' ? argv[++i] : arg.slice('--router='.length);
      if (!(DEMO_ROUTERS as readonly (string | undefined)[]).includes(value)) {
        throw new TypeError(
          `--router takes ${DEMO_ROUTERS.join(' or ')}, not ${JSON.stringify(value ?? null)}\n\n${USAGE}`,
        );
      }
      router = value as DemoRouter;
    } else throw new TypeError(`unknown argument "${arg}"\n\n${USAGE}`);
  }
  return {
    help: false,
    options: {
      router,
      once,
      releaseTimeoutMs: 150_000,
      logLevel: env[DEMO_ENV.logLevel] ?? 'info',
    },
  };
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes'].includes(v.trim().toLowerCase());
}
