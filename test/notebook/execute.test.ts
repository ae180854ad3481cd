import assert from 'node:assert/strict';
import { isKernelStartFailure } from '../../lib/notebook/execute';

describe('notebook execution', () => {
  it('tells a kernel that never came up from a failing cell', () => {
    const startFailure = 'RuntimeError: Kernel didn\'t respond in 60 seconds\n/check/notebooks/03_hybrid_weighted.ipynb failed';
    const died = 'RuntimeError: Kernel died before replying to kernel_info';
    const cellError = 'nbclient.exceptions.CellExecutionError: An error occurred while executing the following cell:\nTypeError: x is undefined';
    assert.equal(isKernelStartFailure(startFailure), true);
    assert.equal(isKernelStartFailure(died), true);
    assert.equal(isKernelStartFailure(cellError), false);
    // A cell that times out mid-run also says the kernel did not respond; it is still the cell's error.
    assert.equal(isKernelStartFailure(`${cellError}\nKernel didn't respond in 60 seconds`), false);
  });
});
