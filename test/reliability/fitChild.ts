/**
 * A child process for the kill-point tests: trains the tiny task of `tinyFit.ts` in the run
 * directory argv[2], under the fault of AVLAB_FAULT (see test/helpers/faults.ts).
 */
import { installFaultFromEnv } from '../helpers/faults';
import { tinyFit } from './tinyFit';

installFaultFromEnv();
tinyFit(process.argv[2]).then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(3);
  },
);
