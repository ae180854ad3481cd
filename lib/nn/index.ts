/** Layers with native kernels and seeded dropout (`av.nn.*`). */
export { LayerFactory, SeededDropout } from './layers';
export { Conv3dFrames, conv3dFrames, conv3dKernelPath } from './conv3d';
export type { Conv3dFramesArgs, Conv3dPadding } from './conv3d';
