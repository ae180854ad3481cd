import type { WorkloadName } from '../../lib/bench/workloads';
import { assertWorkloadTrainsLikeCpu } from '../helpers/compare';

/** Every benchmark workload, every fused WebGPU kernel on its path, against the cpu backend. */
describe('benchmark workloads on WebGPU', () => {
  for (const name of ['mlp', 'lstm', 'conv', 'avts'] as WorkloadName[]) {
    it(`${name}: trains to the cpu backend's losses within 1e-4, without leaks`, () => assertWorkloadTrainsLikeCpu(name, 'webgpu'));
  }
});
