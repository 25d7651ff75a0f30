// Every field of the (Cluster)AnalysisTemplate spec, checked against analysis-template.ts at
// compile time and against both template CRDs by test/unit/api/crd-drift.test.ts.
import type { AnalysisTemplate } from './analysis-template.js';
import { METRIC_PROVIDERS } from './constants.js';
import { STORED_DEFAULTS as D } from './defaults.js';
import type { FieldManifest } from './field-manifest.js';

export const ANALYSIS_TEMPLATE_FIELDS = {
  spec: { required: true, type: 'object' },
  'spec.provider': { required: false, type: 'object', default: {} },
  'spec.provider.type': {
    required: false,
    type: 'string',
    enum: METRIC_PROVIDERS,
    default: D.templateProvider.type,
  },
  'spec.provider.address': { required: false, type: 'string' },
  'spec.provider.secretRef': { required: false, type: 'object' },
  'spec.provider.secretRef.name': { required: true, type: 'string' },
  'spec.query': { required: true, type: 'string' },
  'spec.variables': { required: false, type: 'map' },
} as const satisfies FieldManifest<Pick<AnalysisTemplate, 'spec'>>;
