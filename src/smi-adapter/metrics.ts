// The adapter's /metrics: the runtime's own series (work queue, reconciles, informers, Events,
// leader election, API requests, process) from ControllerMetrics, plus what it translated and
// what it refused.
import { Counter } from 'prom-client';
import { ControllerMetrics } from '../telemetry/metrics.js';
import type { AdapterMetricsSink, TranslationResult } from './reconciler.js';

export class AdapterMetrics extends ControllerMetrics implements AdapterMetricsSink {
  readonly #translations: Counter<'result'>;
  readonly #refusals: Counter<'reason'>;

  constructor() {
    super();
    const registers = [this.registry];
    this.#translations = new Counter({
      name: 'weightlifter_smi_adapter_translations_total',
      help: 'TrafficSplit reconciles that translated the split, by what happened to its HTTPRoute (created, updated, unchanged; deleted: the split was gone).',
      labelNames: ['result'],
      registers,
    });
    this.#refusals = new Counter({
      name: 'weightlifter_smi_adapter_refusals_total',
      help: 'TrafficSplit reconciles that refused to translate the split, by reason.',
      labelNames: ['reason'],
      registers,
    });
  }

  incTranslation(result: TranslationResult): void {
    this.#translations.inc({ result });
  }

  incRefusal(reason: string): void {
    this.#refusals.inc({ reason });
  }
}
