// The source files the shape tests read (one walk, shared with the ESLint rule's import graph).
export { tsFiles } from '../../../hack/import-graph.js';
