/**
 * avlab's public API. A notebook imports everything from here (compiled to ../dist):
 * data → features → model → train → metrics → plots → report.
 */
export { initBackend, backendChoice, backendInfo } from './backend';
export type { BackendChoice, BackendInfo, BackendName } from './backend';
export { profileName, sceneProfile } from './util/profile';
export type { Profile, SceneProfile } from './util/profile';

export * from './scenes/data/types';
export { simulateScenes, defaultSceneSimOptions, CONFUSION_GROUPS } from './scenes/data/simulator';
export type { SceneSimOptions } from './scenes/data/simulator';
export { loadScenes, standardiseDataset } from './scenes/data/load';
export type { LoadScenesOptions } from './scenes/data/load';
export { loadCourseKit, writeCourseKit, parseClipId } from './scenes/data/courseKit';
export type { CourseKitOptions } from './scenes/data/courseKit';
export { readNpy, writeNpy, parseNpy, encodeNpy } from './io/npy';
export type { NpyArray, NpyDtype } from './io/npy';
export { readNpz, writeNpz, parseNpz, encodeNpz } from './io/npz';
export { Hdf5Reader, withHdf5, listHdf5, readHdf5Dataset, writeHdf5 } from './io/hdf5';
export * from './io/pickle';
export * from './io/images';
export * from './collisions/data';
export * from './signal/spectrogram';
export * from './collisions/features/trajectory';

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
} from './scenes/models/registry';
export { LATE_WEIGHTINGS, HybridFusion, WeightedLateFusion, logWeightedMeanSoftmax, normaliseHybridWeights } from './scenes/models/fusion';
export type { LateWeighting, FusionModelOptions } from './scenes/models/fusion';
export { attentionWeights, additiveAttention, childSum, lstmStep, AdditiveAttention, ChildSumCell, LstmStep } from './scenes/models/attention';
export type { ChildSumParams, LstmState, SequenceModelOptions } from './scenes/models/attention';
export type { Modality, PublishedNumbers, SceneModel, SceneModelEntry, SceneModelKind, SceneModelOptions, SceneVariantOptions } from './scenes/models/registry';
export { LayerFactory, SeededDropout } from './nn/layers';

export { COURSE_TRAIN_CONFIG, makeTrainConfig, loadExperimentConfig } from './training/config';
export type { TrainConfig, ExperimentConfig } from './training/config';
export { fit, trainEpoch, rowBatches, plainLogLine } from './training/fit';
export type { Batch, BatchSource, EpochRecord, Evaluation, FitConfig, FitOptions, FitResult, FitTask, Selection } from './training/fit';
export { trainModel, evaluate, predictProba, classificationTask, classificationBatches } from './training/classification';
export type { TensorData, TrainableModel } from './training/classification';
export { crossEntropy } from './losses/crossEntropy';
export { sceneTensors, disposeTensorData } from './scenes/data/tensors';
export { makeAdam } from './training/optimizer';
export type { StepOptimizer } from './training/optimizer';
export { saveCheckpoint, loadCheckpoint, restoreWeights } from './training/checkpoint';

export * from './metrics';
export * from './scenes/courseFiles';

export { runSceneModel, perClassAccuracy } from './scenes/experiments/sceneRun';
export type { SceneRunOptions, SceneRunResult } from './scenes/experiments/sceneRun';
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
} from './scenes/experiments/sceneExperiment';
export { PUBLISHED_SCENE_RESULTS, PUBLISHED_SOURCES, comparisonTable, publishedResults } from './scenes/experiments/published';
export { acquireRunLock, readRunSpec, sceneDataHash, sceneRunKey, sceneRunSpec, toVariant, variantLabel } from './scenes/experiments/runSpec';
export type { KeyedSpec, SceneRunSpec, SceneVariantLike } from './scenes/experiments/runSpec';
export { readSceneRun, restoreSceneModel, scoreSplit } from './scenes/experiments/sceneRun';
export type { FusionSnapshot } from './scenes/experiments/sceneRun';
export { exampleClips, clipAttention } from './scenes/experiments/attentionViz';
export { conflictReport, robustnessReport, calibrationRows } from './scenes/experiments/modalConflict';
export type { ConflictReport, RobustnessReport, ProbeRun } from './scenes/experiments/modalConflict';
export { runSceneSweep } from './scenes/experiments/sceneSweep';
export { summariseMethods, compareMethods, meanCorrectness, pairedDifference, groupRuns, methodOf } from './scenes/experiments/seedStats';
export type { MethodSummary, MethodComparison, SeedRun } from './scenes/experiments/seedStats';
export type { SceneSweepOptions, SweepRun } from './scenes/experiments/sceneSweep';
export * from './scenes/experiments/conflict';
export * from './scenes/experiments/robustness';
export * from './stats';
export * from './metrics/calibration';
export type { PublishedResult } from './scenes/experiments/published';
export { splitSummary, toSectionTable } from './scenes/experiments/tables';
export type { SceneVariant } from './scenes/experiments/sceneExperiment';

export { lossCurves, confusionMatrixFigure, normaliseRows, perClassBars, comparisonBars } from './plots/figures';
export { figureHtml, showFigure, tableHtml } from './plots/show';
export { exportFigures } from './plots/export';
export type { Figure } from './plots/types';
export { reliabilityDiagram } from './plots/reliability';
export { attentionFigure } from './scenes/figures/attention';
export type { AttentionRow, AttentionFigureOptions } from './scenes/figures/attention';
export { robustnessCurves, meanCiBars } from './plots/curves';
export { disagreementFigure } from './scenes/figures/disagreement';
export type { CurveSeries, CurveOptions, MeanCiRow, MeanCiOptions } from './plots/curves';
export type { ReliabilityDiagramOptions } from './plots/reliability';
export type { DisagreementFigureOptions } from './scenes/figures/disagreement';

export { buildReport } from './report/build';
export { writeNotebookResults, readNotebookResults } from './report/results';
export type { NotebookResults, ResultsSection, ResultsTable } from './report/types';

export { startNotebook, NotebookContext, projectRoot } from './notebook/context';
export type { NotebookOptions, NotebookDisplay, NotebookSection, DescribedData } from './notebook/context';
export { layerTable, traceShapes, formatShape } from './notebook/inspect';
export type { LayerRow, TraceRow, TraceOptions, BatchInput } from './notebook/inspect';
export { showSource, sourceOf, highlightTs } from './notebook/source';
export type { Declared, SourceSnippet, ShowSourceOptions } from './notebook/source';
export { executeNotebook, listNotebooks, notebookOutputs } from './notebook/execute';

export * from './collisions/matching/hungarian';
export * from './losses/contrastive';
export * from './collisions';
export { installWasmFallbacks, WASM_FALLBACK_KERNELS } from './backend/wasmFallbacks';

export { Rng, deriveSeed } from './util/rng';
export { InputError, assertFinite } from './util/errors';
export { writeFileAtomic } from './io/files';
