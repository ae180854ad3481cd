/**
 * Statistics for comparing methods honestly: summaries over seeds with t-intervals, bootstrap
 * intervals over test examples, McNemar's test and the paired bootstrap, and multiple-comparison
 * corrections; the special functions they rest on.
 */
export { meanStd, seedSummary } from './descriptive';
export type { MeanStd, SeedSummary, SeedSummaryOptions } from './descriptive';
export { bootstrapCI, bootstrapIndexCI, accuracyCI, logLossCI, perExampleLogLoss, pairedBootstrap, quantileSorted } from './bootstrap';
export type { BootstrapOptions, BootstrapInterval, PairedBootstrapResult } from './bootstrap';
export { mcnemar, mcnemarFromCounts, adjustPValues, pairwiseTests } from './hypothesis';
export type { McNemarOptions, McNemarResult, Correction, MethodOutcomes, PairwiseOptions, PairwiseRow } from './hypothesis';
export { correctMask, toCorrectFlags } from './correct';
export type { CorrectFlags } from './correct';
export {
  lnGamma,
  lnBeta,
  gammaP,
  gammaQ,
  betaIncomplete,
  erf,
  erfc,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTSf,
  studentTQuantile,
  chiSquareSf,
  chiSquare1Sf,
  binomialHalfCdf,
} from './special';
