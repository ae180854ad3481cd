/**
 * Weakly supervised multiple-instance learning for unsynchronised audio-visual events (Parekh et
 * al., CVPR-W 2018; notebook 08): the event simulator, instances (audio segments, region
 * proposals), the two-stream MIL networks and their baselines, evaluation and figures.
 */
export * from './data';
export * from './features/audioSegments';
export * from './features/proposals';
export * from './features/instances';
export * from './models/pooling';
export * from './models/layers';
export * from './models/encoders';
export * from './models/milModel';
export * from './evaluate';
export * from './experiment';
export * from './figures';
