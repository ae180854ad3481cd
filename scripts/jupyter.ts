/**
 * `npm run jupyter`: Jupyter Notebook on notebooks/ with this checkout's TypeScript kernel (tslab),
 * the kernel new notebooks get. Prints the URL to open (with its token); Ctrl-C stops the server and
 * its kernels.
 * Usage: npm run jupyter [-- --port N]   (default 8888; the next free port when it is taken)
 */
import * as path from 'node:path';
import { startNotebookServer } from '../lib/notebook/server';

function parseArgs(argv: string[]): { port: number } {
  let port = 8888;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    if (a === '--port' || a.startsWith('--port=')) {
      const v = a === '--port' ? argv[++i] : a.slice('--port='.length);
      port = Number(v);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port needs a port number, 1 to 65535 (got ${v})`);
    } else if (a === '-h' || a === '--help') {
      console.log('usage: npm run jupyter [-- --port N]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (expected --port N)`);
  }
  return { port };
}

async function main(): Promise<void> {
  const { port } = parseArgs(process.argv.slice(2));
  const dir = path.resolve(__dirname, '..', 'notebooks');
  const verbose = process.env.AVLAB_JUPYTER_LOG === '1';
  const server = await startNotebookServer({
    dir,
    port,
    interactive: true,
    // The server's own log is long; warnings and errors (and everything with AVLAB_JUPYTER_LOG=1) show.
    log: (line) => {
      if (!verbose && /nbextensions\/widgets\/notebook\/js\/extension\.js/.test(line)) return; // ipywidgets is not installed; harmless
      if (verbose || /^\[[WEC] /.test(line) || /Traceback|Error/.test(line)) console.log(`  jupyter | ${line}`);
    },
  });
  if (server.port !== port) console.log(`jupyter: port ${port} was taken; using ${server.port}`);
  console.log(`jupyter: Jupyter Notebook is serving ${path.relative(process.cwd(), dir) || '.'} at ${server.url}`);
  console.log('jupyter: open this URL in your browser (the token in it is your login):');
  console.log('');
  console.log(`    ${server.link()}`);
  console.log('');
  console.log("jupyter: notebooks open on this checkout's TypeScript kernel (tslab), and New > TypeScript makes new");
  console.log('jupyter: ones on it. They import the compiled library (../dist): after editing lib/, run npm run build');
  console.log('jupyter: (or keep npx tsc -p tsconfig.json --watch running) and restart the kernel. Ctrl-C stops the server.');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\njupyter: ${signal}: stopping the server and its kernels`);
    server.stop().then(
      () => {
        console.log('jupyter: stopped');
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`jupyter: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  void server.exited.then((code) => {
    if (stopping) return;
    console.error(`jupyter: the server ended by itself (exit status ${code}); its warnings and errors are above`);
    process.exit(1);
  });
  process.on('SIGINT', () => stop('Ctrl-C'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
}

main().catch((err: unknown) => {
  console.error(`jupyter: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
