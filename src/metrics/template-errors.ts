// Template rendering errors. Returned as values by renderQuery; the caller turns one into an
// Error measurement for the metric (never an exception escaping an analysis tick).
import { WeightlifterError } from '../errors/catalogue.js';

export const TEMPLATE_ERROR_REASONS = {
  unknownVariable: 'UnknownVariable',
  syntax: 'TemplateSyntax',
} as const;
export type TemplateErrorReason =
  (typeof TEMPLATE_ERROR_REASONS)[keyof typeof TEMPLATE_ERROR_REASONS];

/** An analysis query template cannot be rendered (code WL_TEMPLATE_RENDER_FAILED). */
export class TemplateError extends WeightlifterError {
  readonly reason: TemplateErrorReason;
  /** The offending placeholders, as written between the braces. */
  readonly placeholders: readonly string[];

  constructor(reason: TemplateErrorReason, message: string, placeholders: readonly string[]) {
    super('WL_TEMPLATE_RENDER_FAILED', message, { details: { reason, placeholders } });
    this.reason = reason;
    this.placeholders = placeholders;
  }
}
