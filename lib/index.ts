/**
 * avlab's public API. A notebook imports everything from here (compiled to ../dist):
 * data → features → model → train → metrics → plots → report.
 */
export { initBackend, backendChoice, backendInfo } from './backend';
export type { BackendChoice, BackendInfo, BackendName } from './backend';
export { profileName, sceneProfile } from './config/profile';
export type { Profile, SceneProfile } from './config/profile';

export * from './data/scenes/types';
export { simulateScenes, defaultSceneSimOptions, CONFUSION_GROUPS } from './data/scenes/simulator';
export type { SceneSimOptions } from './data/scenes/simulator';
export { loadScenes, standardiseDataset } from './data/scenes/load';
export type { LoadScenesOptions } from './data/scenes/load';
export { loadCourseKit, writeCourseKit, parseClipId } from './data/courseKit';
export type { CourseKitOptions } from './data/courseKit';
export { readNpy, writeNpy, parseNpy, encodeNpy } from './io/npy';
export type { NpyArray, NpyDtype } from './io/npy';
export { readNpz, writeNpz, parseNpz, encodeNpz } from './io/npz';
export { Hdf5Reader, withHdf5, listHdf5, readHdf5Dataset, writeHdf5 } from './io/hdf5';
export * from './io/pickle';
export * from './io/images';
export * from './data/collisions';
export * from './features/spectrogram';
export * from './features/trajectory';

export { buildSceneModel, countParams, SCENE_MODEL_KINDS, SEQUENCE_MODEL_KINDS, modelView } from './models/scene';
export { fusionWeights, LATE_WEIGHTINGS, HybridFusion, WeightedLateFusion, logWeightedMeanSoftmax, normaliseHybridWeights } from './models/fusion';
export type { LateWeighting, FusionModelOptions } from './models/fusion';
export { attentionWeights, additiveAttention, childSum, lstmStep, AdditiveAttention, ChildSumCell, LstmStep } from './models/attention';
export type { ChildSumParams, LstmState, SequenceModelOptions } from './models/attention';
export type { Modality, SceneModel, SceneModelKind, SceneModelOptions } from './models/scene';
export { LayerFactory, SeededDropout } from './models/layers';

export { COURSE_TRAIN_CONFIG, makeTrainConfig, loadExperimentConfig } from './train/config';
export type { TrainConfig, ExperimentConfig } from './train/config';
export { trainModel, runEpoch, evaluate, predictProba, crossEntropy, formatEpochLine } from './train/trainer';
export type { EpochRecord, TensorData, TrainableModel, TrainOptions, TrainResult } from './train/trainer';
export { sceneTensors, disposeTensorData } from './train/sceneData';
export { makeAdam } from './train/optimizer';
export type { StepOptimizer } from './train/optimizer';
export { saveCheckpoint, loadCheckpoint, restoreWeights } from './train/checkpoint';

export * from './metrics';

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
export { PUBLISHED_SCENE_RESULTS, PUBLISHED_SOURCES, comparisonTable } from './experiments/published';
export { readSceneRun, restoreSceneModel, scoreSplit } from './experiments/sceneRun';
export type { FusionSnapshot } from './experiments/sceneRun';
export { exampleClips, clipAttention } from './experiments/attentionViz';
export { conflictReport, robustnessReport, calibrationRows } from './experiments/modalConflict';
export type { ConflictReport, RobustnessReport, ProbeRun } from './experiments/modalConflict';
export { runSceneSweep } from './experiments/sceneSweep';
export { summariseMethods, compareMethods, meanCorrectness, pairedDifference, groupRuns } from './experiments/seedStats';
export type { MethodSummary, MethodComparison } from './experiments/seedStats';
export type { SceneSweepOptions, SweepRun } from './experiments/sceneSweep';
export * from './experiments/conflict';
export * from './experiments/robustness';
export * from './stats';
export * from './metrics/calibration';
export type { PublishedResult } from './experiments/published';
export { splitSummary, toSectionTable } from './experiments/tables';
export type { SceneVariant } from './experiments/sceneExperiment';

export { lossCurves, confusionMatrixFigure, normaliseRows, perClassBars, comparisonBars } from './plots/figures';
export { figureHtml, showFigure, tableHtml } from './plots/show';
export { exportFigures } from './plots/export';
export type { Figure } from './plots/types';
export { reliabilityDiagram } from './plots/reliability';
export { attentionFigure } from './plots/attention';
export type { AttentionRow, AttentionFigureOptions } from './plots/attention';
export { robustnessCurves, meanCiBars } from './plots/curves';
export { disagreementFigure } from './plots/disagreement';
export type { CurveSeries, CurveOptions, MeanCiRow, MeanCiOptions } from './plots/curves';
export type { ReliabilityDiagramOptions } from './plots/reliability';
export type { DisagreementFigureOptions } from './plots/disagreement';

export { buildReport } from './report/build';
export { writeNotebookResults, readNotebookResults } from './report/results';
export type { NotebookResults, ResultsSection, ResultsTable } from './report/types';

export { startNotebook, NotebookContext, projectRoot } from './notebook/context';
export type { NotebookOptions, NotebookDisplay } from './notebook/context';
export { executeNotebook, listNotebooks, notebookOutputs } from './notebook/execute';

export * from './assign/hungarian';
export * from './losses/contrastive';
export * from './matching';
export { installWasmFallbacks, WASM_FALLBACK_KERNELS } from './backend/wasmFallbacks';

export { Rng, deriveSeed } from './util/rng';
export { InputError, assertFinite } from './util/errors';
export { writeFileAtomic } from './util/files';
