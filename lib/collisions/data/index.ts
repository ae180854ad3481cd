/** Collision matching data: types, the simulator, the course layout and the task builder. */
export * from './types';
export * from './simulator';
export * from './courseLayout';
export * from './tasks';
