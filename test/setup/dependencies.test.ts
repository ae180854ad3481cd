/**
 * Every external command, Python module and system file avlab uses resolves (through `dpkg -S`) to a
 * Debian package that setup installs (scripts/debian-packages.txt), and the sources call nothing
 * the list leaves out: a package installed by hand on one machine cannot hide a missing setup step.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
/** Commands the machine itself provides (Node.js comes before setup can run). */
const MACHINE_COMMANDS = new Set(['node', 'npm', 'npx', 'bash', 'sh', 'apt-get', 'dpkg', 'dpkg-query', 'sudo']);

interface Entry { pkg: string; bench: boolean; cmds: string[]; modules: string[]; files: string[] }

/** scripts/debian-packages.txt, parsed. */
export function readPackageList(file = path.join(ROOT, 'scripts', 'debian-packages.txt')): Entry[] {
  const entries: Entry[] = [];
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const words = raw.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
    if (!words.length) continue;
    const [pkg, ...rest] = words;
    const take = (prefix: string) => rest.filter((w) => w.startsWith(prefix)).map((w) => w.slice(prefix.length));
    const unknown = rest.filter((w) => w !== 'bench' && !/^(cmd|py|file):./.test(w));
    if (unknown.length) throw new Error(`${file}: package ${pkg}: unknown field(s) ${unknown.join(', ')}`);
    entries.push({ pkg, bench: rest.includes('bench'), cmds: take('cmd:'), modules: take('py:'), files: take('file:') });
  }
  return entries;
}

function sh(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim() };
}

function installed(pkg: string): boolean {
  return sh('dpkg-query', ['-W', '-f=${Status}', pkg]).out.includes('install ok installed');
}

/** The package owning `file`, trying the path as given, then with every link resolved. */
function owner(file: string): string | null {
  const real = fs.existsSync(file) ? fs.realpathSync(file) : file;
  // usrmerge: /usr/bin/x may be registered as /bin/x
  for (const f of [file, real, file.replace(/^\/usr\/bin\//, '/bin/'), real.replace(/^\/usr\/bin\//, '/bin/')]) {
    const r = sh('dpkg', ['-S', f]);
    if (r.ok) return r.out.split('\n')[0].split(':')[0];
  }
  return null;
}

/** Part of every Debian system (Essential or Priority required): never needs installing. */
function basePackage(pkg: string): boolean {
  const r = sh('dpkg-query', ['-W', '-f=${Essential} ${Priority}', pkg]).out;
  return /^yes\b/.test(r) || /\brequired$/.test(r);
}

function which(cmd: string): string | null {
  const r = sh('sh', ['-c', `command -v -- '${cmd}'`]);
  return r.ok && r.out.startsWith('/') ? r.out : null;
}

function trackedSources(): string[] {
  const r = spawnSync('git', ['ls-files', 'lib', 'scripts', 'test', '.ci'], { cwd: ROOT, encoding: 'utf8' });
  return r.stdout.split('\n').filter((f) => /\.(ts|cjs|js|sh|py)$/.test(f) || f === '.ci/run');
}

/**
 * The commands the sources start, by name: targets of spawn/exec calls (and of `run` in files that
 * start processes), /usr/bin paths in code, and words in command position in shell scripts. Names
 * that are not programs on this machine are left out (a test of them fails on its own).
 */
export function commandsUsed(files = trackedSources()): Map<string, string> {
  const found = new Map<string, string>();
  const add = (name: string, f: string) => {
    const where = fs.existsSync(`/usr/bin/${name}`) ? `/usr/bin/${name}` : which(name);
    if (!MACHINE_COMMANDS.has(name) && where && !where.includes('/node_modules/')) found.set(name, f);
  };
  for (const f of files) {
    const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
    if (/\.(ts|cjs|js)$/.test(f)) {
      const starter = text.includes('child_process') ? /\b(?:spawn|spawnSync|execFile|execFileSync|execSync|run)\(\s*['"`]([^'"`\s]+)/g : /\b(?:spawn|spawnSync|execFile|execFileSync|execSync)\(\s*['"`]([^'"`\s]+)/g;
      for (const m of text.matchAll(starter)) add(path.basename(m[1]), f);
      for (const m of text.matchAll(/['"`]\/usr\/bin\/([\w.+-]+)['"`]/g)) add(m[1], f);
    } else if (/\.sh$/.test(f) || f === '.ci/run') {
      const code = text.split('\n').map((l) => l.replace(/(^|\s)#.*$/, '')).join('\n');
      const position = /(?:^|[;|&(!]|\$\(|\b(?:then|do|else|if|while|until|time|exec|env)\b)\s*(?:[A-Z_]+=\S*\s+)*([a-z][\w.+-]*)/gm;
      for (const m of code.matchAll(position)) add(m[1], f);
    }
  }
  return found;
}

/** Python modules the sources import: in .py files, and inside string literals of files that run Python. */
export function pythonModulesUsed(files = trackedSources()): Map<string, string> {
  const found = new Map<string, string>();
  for (const f of files) {
    const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
    const chunks = f.endsWith('.py') ? [text] : /python3/.test(text) ? [...text.matchAll(/(['"`])((?:(?!\1)[^\\\n]|\\.)*)\1/g)].map((m) => m[2]) : [];
    for (const chunk of chunks) {
      for (const statement of chunk.split(/\n|;|\\n/)) {
        const line = statement.replace(/#.*/, '').trim();
        const imp = /^import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)$/.exec(line);
        const from = /^from\s+(\w[\w.]*)\s+import\b/.exec(line);
        const names = imp ? imp[1].split(',').map((n) => n.trim().split(/\s/)[0]) : from ? [from[1]] : [];
        for (const n of names) found.set(n.split('.')[0], f);
      }
    }
  }
  return found;
}

describe('setup installs everything avlab calls (scripts/debian-packages.txt)', function () {
  this.timeout(120_000);
  const entries = readPackageList();
  const listed = new Map(entries.map((e) => [e.pkg, e]));
  const byCommand = new Map(entries.flatMap((e) => e.cmds.map((c) => [c, e] as const)));
  const byModule = new Map(entries.flatMap((e) => e.modules.map((m) => [m, e] as const)));

  before(function () {
    if (!which('dpkg')) this.skip();
  });

  it('setup reads its package list from that file', () => {
    const setup = fs.readFileSync(path.join(ROOT, 'scripts', 'setup.sh'), 'utf8');
    assert.match(setup, /done < scripts\/debian-packages\.txt/);
    assert.doesNotMatch(setup, />\s*\/dev\/null/, 'setup must not throw a step\'s output away');
  });

  it('every listed command, module and file belongs to the package that lists it', () => {
    const wrong: string[] = [];
    for (const e of entries) {
      if (e.bench && !installed(e.pkg)) continue;
      for (const c of e.cmds) {
        const where = fs.existsSync(`/usr/bin/${c}`) ? `/usr/bin/${c}` : which(c);
        const pkg = where && owner(where);
        if (pkg !== e.pkg) wrong.push(`command ${c}: ${where ?? 'not found'} belongs to ${pkg ?? 'no package'}, listed under ${e.pkg}`);
      }
      for (const m of e.modules) {
        const r = sh(PYTHON, ['-c', `import ${m}; print(${m}.__file__)`]);
        const pkg = r.ok ? owner(r.out) : null;
        if (pkg !== e.pkg) wrong.push(`Python module ${m}: ${r.ok ? r.out : 'not importable'} belongs to ${pkg ?? 'no package'}, listed under ${e.pkg}`);
      }
      for (const f of e.files) {
        const pkg = owner(f);
        if (pkg !== e.pkg) wrong.push(`file ${f} belongs to ${pkg ?? 'no package'}, listed under ${e.pkg}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('every command the sources run is a listed one, part of every Debian system, or Node.js', () => {
    const missing: string[] = [];
    for (const [cmd, file] of commandsUsed()) {
      if (byCommand.has(cmd)) continue;
      const where = fs.existsSync(`/usr/bin/${cmd}`) ? `/usr/bin/${cmd}` : which(cmd);
      const pkg = where && owner(where);
      if (pkg && (basePackage(pkg) || listed.has(pkg))) continue;
      missing.push(`${file} runs ${cmd} (${where ?? 'not found'}, package ${pkg ?? 'none'}): add it to scripts/debian-packages.txt`);
    }
    assert.deepEqual(missing, []);
  });

  it('every Python module the sources import is in the standard library or listed', () => {
    const stdlib = new Set(sh(PYTHON, ['-c', 'import sys; print("\\n".join(sys.stdlib_module_names))']).out.split('\n'));
    assert.ok(stdlib.has('json'), `${PYTHON} must list its standard library`);
    const missing = [...pythonModulesUsed()].filter(([m]) => !stdlib.has(m) && m !== '__future__' && !byModule.has(m)).map(([m, f]) => `${f} imports ${m}`);
    assert.deepEqual(missing, []);
  });

  it('Python is always Debian\'s /usr/bin/python3, never whichever python3 is first on PATH', () => {
    const bare = trackedSources().filter((f) => /\.(ts|cjs)$/.test(f) && /\b(?:spawn|spawnSync|execFile|execFileSync)\(\s*['"`]python3?['"`]/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    assert.deepEqual(bare, []);
  });

  it('the scanners find what they look for (checked on made-up sources)', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.tmp-deps-'));
    try {
      const rel = (f: string) => path.relative(ROOT, path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'a.ts'), "import 'node:child_process'; spawnSync('/usr/bin/jupyter', ['x']); run('chromium', []); const s = 'import torch, numpy';\n// python3\n");
      fs.writeFileSync(path.join(dir, 'b.sh'), '# make is mentioned in a comment only\njupyter nbconvert x\n');
      fs.writeFileSync(path.join(dir, 'c.py'), 'import sklearn.metrics\nfrom nbclient import x\n');
      const cmds = commandsUsed([rel('a.ts'), rel('b.sh')]);
      assert.deepEqual([...cmds.keys()].sort(), ['chromium', 'jupyter']);
      const mods = pythonModulesUsed([rel('a.ts'), rel('c.py')]);
      assert.deepEqual([...mods.keys()].sort(), ['nbclient', 'numpy', 'sklearn', 'torch']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
