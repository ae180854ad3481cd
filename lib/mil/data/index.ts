/** The event simulator and its types. */
export * from './types';
export * from './simulator';
