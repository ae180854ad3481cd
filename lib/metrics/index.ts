/** Classification metrics (the course's file formats live with the scene family: lib/scenes/courseFiles). */
export * from './classification';
export { formatFixed } from './pythonFormat';
export { numpySum, numpyMean } from './numpySum';
export * from './calibration';
export * from './multilabel';
export * from './localisation';
