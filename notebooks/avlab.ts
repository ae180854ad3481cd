/**
 * The library as notebooks import it, always today's. Every notebook's first cell is
 *
 *     import * as av from './avlab';
 *     const nb = await av.setup('02_fusion', 'Fusion: early, intermediate and late');
 *
 * Importing this module first makes sure the compiled library is fresh — when any lib/**\/*.ts is
 * newer than dist/index.js it runs the TypeScript compiler (a few seconds) and says so — and then
 * re-exports `../dist`, so `av.scenes.loadScenes`, `av.scenes.SceneModelKind`, ... are the library's values and
 * types. `av.setup` starts the notebook (backend, profile, paths; printed) with tslab's display.
 * When nothing changed the check costs one walk over lib/ (milliseconds).
 *
 * tslab compiles this file itself, so it imports only Node's built-ins and the compiled library:
 * importing lib/ sources here would make tslab compile the whole library inside the kernel. A kernel
 * loads this module once; after editing lib/, restart the kernel (setup says so when it notices).
 */
import * as path from 'node:path';
import { ensureFreshLibrary, ROOT } from './freshness';
// @ts-ignore: on a fresh checkout dist/ does not exist until the check below builds it.
import type * as Avlab from '../dist';

// Before the library is loaded: rebuild it if lib/ changed (CommonJS runs this statement before the re-export below).
ensureFreshLibrary();
// @ts-ignore: see the type import above.
export * from '../dist';

/**
 * A notebook's first line: initialises the backend, reads the profile and returns the notebook
 * context (`nb.table`, `nb.show`, `nb.html`, `nb.runDir`, `nb.finish`, ...), displaying through tslab
 * when run in a kernel. `probe` names the benchmark workload closest to the notebook's models: where
 * several backends come up, `auto` times that workload's training step on each to choose. If lib/
 * changed since this kernel loaded the library, it rebuilds dist/ and asks for a kernel restart (a
 * loaded module cannot be swapped under the objects made from it).
 */
export async function setup(id: string, title: string, options: { probe?: Avlab.WorkloadName } = {}): Promise<Avlab.NotebookContext> {
  const r = ensureFreshLibrary(ROOT, (line) => console.log(line));
  if (r.rebuilt) console.log('avlab: this kernel still runs the library it loaded before: restart the kernel to use the new build');
  const av = require(path.join(ROOT, 'dist')) as typeof Avlab;
  const probe = options.probe ? av.workloadProbe(options.probe) : undefined;
  return av.startNotebook({ id, title, display: kernelDisplay(), probe });
}

/** tslab's display inside a kernel; outside one (a script, a test) its calls throw, and outputs are dropped. */
function kernelDisplay(): Avlab.NotebookDisplay | undefined {
  let tslab: { display: { html(h: string): void; markdown(m: string): void } };
  try {
    tslab = require('tslab');
  } catch {
    return undefined;
  }
  const guard = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (!/not ready/i.test((e as Error).message)) throw e;
    }
  };
  return { html: (h) => guard(() => tslab.display.html(h)), markdown: (m) => guard(() => tslab.display.markdown(m)) };
}
