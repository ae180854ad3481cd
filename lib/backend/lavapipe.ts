/**
 * Mesa's lavapipe, a Vulkan driver that runs on the CPU, as `scripts/lavapipe.sh` unpacks it into
 * the checkout. A process started with `lavapipeEnv()` sees it as a WebGPU adapter: the WebGPU
 * kernels are tested on it where no GPU is (its times say nothing about a GPU's). The variables
 * must be set when the process starts: the dynamic loader reads LD_LIBRARY_PATH only then.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where setup puts lavapipe: `.avlab/lavapipe` in the checkout. */
export function lavapipeDir(root = path.resolve(__dirname, '..', '..')): string {
  return path.join(root, '.avlab', 'lavapipe');
}

/**
 * The environment that makes a child process use lavapipe, or null when `scripts/lavapipe.sh` has
 * not fetched it. llvmpipe runs on one thread, so that it does not compete with the test's own.
 */
export function lavapipeEnv(root?: string): Record<string, string> | null {
  const dir = lavapipeDir(root);
  const icd = path.join(dir, 'lvp_icd.json');
  if (!fs.existsSync(icd)) return null;
  const lib = path.join(dir, 'root', 'usr', 'lib', 'x86_64-linux-gnu');
  return {
    VK_DRIVER_FILES: icd,
    LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    LP_NUM_THREADS: '1',
  };
}
