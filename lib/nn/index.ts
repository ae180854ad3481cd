/** Layers with native kernels, counter-based dropout and the fused LSTM cell (`av.nn.*`). */
export { LayerFactory, SeededDropout } from './layers';
export { Conv3dFrames, conv3dFrames, conv3dKernelPath } from './conv3d';
export type { Conv3dFramesArgs, Conv3dPadding } from './conv3d';
export { counterDropout } from './dropout';
export { lstmCell } from './lstmCell';
export { lstmSequence, LstmLayer } from './lstm';
