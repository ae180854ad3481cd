/**
 * Audio–video collision matching (the source report's tasks 1–3): features, the audio ResNet, the
 * encoders, their training loops, per-class assignment, metrics, the experiment and its figures.
 */
export * from './features/clipFeatures';
export * from './models/resnet';
export * from './models/encoders';
export * from './matching/pairs';
export * from './matching/train';
export * from './matching/match';
export * from './matching/metrics';
export * from './models/matchingModel';
export * from './experiment';
export * from './figures';
export * from './data';
export * from './features/trajectory';
export * from './matching/hungarian';
