/**
 * Collision matching data: the world's types and simulator (re-exported from lib/worlds/collision),
 * the course layout and the task builder.
 */
export * from './types';
export * from '../../worlds/collision/simulator';
export * from './courseLayout';
export * from './tasks';
