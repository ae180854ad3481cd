import { initBackend } from '../../lib/backend';
import { nativeBlas } from '../../lib/backend/nativeMatMul';
import { assertWorkloadTrainsLikeCpu } from '../helpers/compare';

describe('benchmark workloads across backends', function () {
  this.timeout(120000);
  after(() => initBackend('cpu', { quiet: true }));

  for (const name of ['mlp', 'lstm', 'conv', 'avts'] as const) {
    it(`${name}: wasm with the native kernels trains to the cpu backend's losses, without leaks`, async function () {
      if (!nativeBlas()) this.skip(); // the addon is not built: wasm then runs tfjs's own kernels
      await assertWorkloadTrainsLikeCpu(name, 'wasm');
    });
  }
});
