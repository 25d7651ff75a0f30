// The checks' series as the server sends them to the page (GET /api/series/<namespace>/<name>).

export interface RangeWindow {
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

/** One check: the grid's times and each Deployment's value at them (null: none). */
export interface CheckSeries {
  readonly metric: string;
  readonly t: number[];
  readonly canary: (number | null)[];
  readonly primary: (number | null)[];
  readonly error?: string;
}

export interface RunSeries {
  readonly revision: string;
  readonly startedAt: string;
  /** The canary and the primary Deployment's names. */
  readonly targets: { readonly canary: string; readonly primary: string };
  readonly range: RangeWindow;
  readonly checks: CheckSeries[];
}
