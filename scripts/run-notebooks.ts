/**
 * Executes every notebook headless (profile from AVLAB_PROFILE) into report/notebooks/, as .ipynb
 * with outputs and as HTML. Usage: tsx scripts/run-notebooks.ts [NN_name.ipynb ...]
 */
import * as path from 'node:path';
import { executeNotebook, listNotebooks } from '../lib/notebook/execute';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const wanted = process.argv.slice(2);
  const all = listNotebooks(path.join(root, 'notebooks'));
  const notebooks = wanted.length ? all.filter((n) => wanted.some((w) => n.endsWith(w))) : all;
  const profile = process.env.AVLAB_PROFILE ?? 'full';
  for (const nb of notebooks) {
    console.log(`notebooks: executing ${path.basename(nb)} (profile ${profile})`);
    const run = await executeNotebook(nb, { outDir: path.join(root, 'report', 'notebooks'), html: true, log: (l) => console.log(`  ${l}`) });
    console.log(`notebooks: ${path.basename(nb)} done in ${run.seconds.toFixed(1)} s`);
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
