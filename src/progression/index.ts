// The pure progression decisions, in one import for the machine.
export * from './checks.js';
export * from './errors.js';
export * from './strategy.js';
export * from './windows.js';
export * from './step-grid.js';
