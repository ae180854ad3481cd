/** Classification metrics and the course's evaluation files. */
export * from './classification';
export * from '../scenes/courseFiles';
export { formatFixed } from './pythonFormat';
export { numpySum, numpyMean } from './numpySum';

