// The run's position as a bar: canary weight against the last step (canary strategy), or
// iterations done against the iterations asked for (blue/green). The label names the steps with
// the current one marked, so "10%" reads as "step 2 of 4" without looking up the spec.
import type { Strategy } from '../../progression/strategy.js';
import { paint, type Style } from './style.js';

export interface BarInput {
  readonly canaryWeight: number;
  readonly iterations: number;
  /** null when the spec names no valid strategy (the bar then runs to 100%). */
  readonly strategy: Strategy | null;
}

export function bar(fraction: number, width: number, style: Style): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  const [on, off] = style.unicode ? ['█', '░'] : ['#', '-'];
  return `[${paint(style, 'green', on.repeat(filled))}${paint(style, 'dim', off.repeat(width - filled))}]`;
}

function stepList(weights: readonly number[], weight: number, style: Style): string {
  return weights
    .map((w) =>
      w === weight ? (style.color ? paint(style, 'bold', String(w)) : `[${w}]`) : String(w),
    )
    .join(' ');
}

export function progressBar(p: BarInput, style: Style, width = 30): string {
  const s = p.strategy;
  if (s === null) return `${bar(p.canaryWeight / 100, width, style)} ${p.canaryWeight}%`;
  if (s.kind !== 'canary') {
    const done = Math.min(p.iterations, s.iterations);
    // A/B: the weight is the matching requests' split; every other request is on the primary.
    const weight =
      s.kind === 'ab'
        ? `${p.canaryWeight}% of matching requests on the canary`
        : `canary weight ${p.canaryWeight}%`;
    const label = `iteration ${done}/${s.iterations}, ${weight}`;
    return `${bar(done / s.iterations, width, style)} ${label}`;
  }
  const max = s.weights[s.weights.length - 1] ?? 100;
  const reached = s.weights.filter((w) => w <= p.canaryWeight).length;
  const label = `${p.canaryWeight}% of ${max}%, step ${reached}/${s.weights.length} (${stepList(s.weights, p.canaryWeight, style)})`;
  return `${bar(p.canaryWeight / max, width, style)} ${label}`;
}
