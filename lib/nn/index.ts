/** Layers with native kernels and seeded dropout (`av.nn.*`). */
export { LayerFactory, SeededDropout } from './layers';
