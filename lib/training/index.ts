/** The training loop and its parts (`av.training.*`). */
export { COURSE_TRAIN_CONFIG, makeTrainConfig, loadExperimentConfig } from './config';
export type { TrainConfig, ExperimentConfig } from './config';
export { fit, trainEpoch, trainStep, rowBatches, plainLogLine } from './fit';
export type { Batch, BatchSource, EpochRecord, Evaluation, FitConfig, FitOptions, FitResult, FitTask, Selection } from './fit';
export { trainModel, evaluate, predictProba, classificationTask, classificationBatches } from './classification';
export type { TensorData, TrainableModel } from './classification';
export { makeAdam } from './optimizer';
export { taskProbe, denseProbe } from './probe';
export type { ProbeTask } from './probe';
export type { StepOptimizer } from './optimizer';
export { saveCheckpoint, loadCheckpoint, restoreWeights } from './checkpoint';
