import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import { shapePlugin } from './hack/import-graph.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '*.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  // The shape stays: no import cycle between the folders of src/, nor between its files at run
  // time (hack/import-graph.js; test/unit/shape/import-cycles.test.ts checks the same graph).
  {
    files: ['src/**/*.ts'],
    plugins: { shape: shapePlugin },
    rules: { 'shape/no-import-cycle': 'error' },
  },
  // Plain JavaScript (loaded by this file) is outside the TypeScript project: no type-aware rules.
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { URL: 'readonly' },
    },
  },
);
