/**
 * The transition model: step columns, segments and the blocks they form. Pure TypeScript shared
 * by the agent, the protocol, the learner and every algorithm's buffer.
 */
export * from './steps.ts';
export * from './segments.ts';
export { SegmentRecorder } from './recorder.ts';
