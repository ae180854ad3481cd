/**
 * Audio–video collision matching (the source report's tasks 1–3): features, the audio ResNet, the
 * encoders, their training loops, per-class assignment, metrics, the experiment and its figures.
 */
export * from './features';
export * from './resnet';
export * from './encoders';
export * from './pairs';
export * from './train';
export * from './match';
export * from './metrics';
export * from './model';
export * from './experiment';
export * from './figures';
