/**
 * Options declared once (docs/operations.md, "Options"): each set's valibot schemas give the
 * TypeScript shape, defaults, validation messages, flags, env vars, `--help` and the docs tables.
 * Pure TypeScript for server, agent and browser; command-line parsing is in ./argv.ts (node).
 */
export * from './define.ts';
export * from './help.ts';
export * from './markdown.ts';
export * from './nearest.ts';
export * from './set.ts';
