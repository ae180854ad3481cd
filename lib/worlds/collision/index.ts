/**
 * The collision world: a simulated tilted tray with ten objects, four wall microphones and a
 * top-down camera. Shared machinery, because several families sample from it (collision matching
 * cuts course-style 4-s episodes; AVTS cuts aligned and shifted windows from continuous clips).
 */
export * from './types';
export * from './simulator';
