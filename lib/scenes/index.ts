/** Audio-visual scene classification: data, models, experiments, figures (`av.scenes.*`). */
export * from './data/types';
export { simulateScenes, defaultSceneSimOptions, CONFUSION_GROUPS } from './data/simulator';
export type { SceneSimOptions } from './data/simulator';
export { loadScenes, standardiseDataset } from './data/load';
export type { LoadScenesOptions } from './data/load';
export { loadCourseKit, writeCourseKit, parseClipId } from './data/courseKit';
export type { CourseKitOptions } from './data/courseKit';
export {
  buildSceneModel,
  countParams,
  fusionWeights,
  modelView,
  normaliseSceneOptions,
  registerSceneModel,
  sceneModelEntry,
  sceneModelNames,
  SCENE_MODEL_DEFAULTS,
  SCENE_MODEL_KINDS,
  SEED_STUDY_MODELS,
  SEQUENCE_MODEL_KINDS,
  WEIGHTED_STUDY_MODELS,
} from './models/registry';
export { LATE_WEIGHTINGS, HybridFusion, WeightedLateFusion, logWeightedMeanSoftmax, normaliseHybridWeights } from './models/fusion';
export type { LateWeighting, FusionModelOptions } from './models/fusion';
export { attentionWeights, additiveAttention, childSum, lstmStep, AdditiveAttention, ChildSumCell, LstmStep } from './models/attention';
export type { ChildSumParams, LstmState, SequenceModelOptions } from './models/attention';
export type { Modality, PublishedNumbers, SceneModel, SceneModelEntry, SceneModelKind, SceneModelOptions, SceneVariantOptions } from './models/registry';
export { sceneTensors, disposeTensorData } from './data/tensors';
export * from './courseFiles';
export { runSceneModel, perClassAccuracy } from './experiments/sceneRun';
export type { SceneRunOptions, SceneRunResult } from './experiments/sceneRun';
export {
  trainSceneModels,
  trainSceneVariants,
  runName,
  fusionWeightsFigure,
  profileTrainConfig,
  summaryRows,
  runLossFigure,
  runConfusionFigure,
  perClassAccuracyFigure,
  accuracyComparisonFigure,
} from './experiments/sceneExperiment';
export { PUBLISHED_SCENE_RESULTS, PUBLISHED_SOURCES, comparisonTable, publishedResults } from './experiments/published';
export { acquireRunLock, readRunSpec, sceneDataHash, sceneRunKey, sceneRunSpec, toVariant, variantLabel } from './experiments/runSpec';
export type { KeyedSpec, SceneRunSpec, SceneVariantLike } from './experiments/runSpec';
export { readSceneRun, restoreSceneModel, scoreSplit } from './experiments/sceneRun';
export type { FusionSnapshot } from './experiments/sceneRun';
export { exampleClips, clipAttention } from './experiments/attentionViz';
export { conflictReport, robustnessReport, calibrationRows } from './experiments/modalConflict';
export type { ConflictReport, RobustnessReport, ProbeRun } from './experiments/modalConflict';
export { runSceneSweep } from './experiments/sceneSweep';
export { summariseMethods, compareMethods, meanCorrectness, pairedDifference, groupRuns, methodOf } from './experiments/seedStats';
export type { MethodSummary, MethodComparison, SeedRun } from './experiments/seedStats';
export type { SceneSweepOptions, SweepRun } from './experiments/sceneSweep';
export * from './experiments/conflict';
export * from './experiments/robustness';
export type { PublishedResult } from './experiments/published';
export { splitSummary } from './experiments/tables';
export type { SceneVariant } from './experiments/sceneExperiment';
export { attentionFigure } from './figures/attention';
export type { AttentionRow, AttentionFigureOptions } from './figures/attention';
export { disagreementFigure } from './figures/disagreement';
export type { DisagreementFigureOptions } from './figures/disagreement';
