/**
 * The source of a library function (or class) as a highlighted HTML code block, so a notebook can
 * show the code that implements an equation right below the equation's markdown.
 *
 * Notebooks run the compiled library (dist/), but readers want the TypeScript they would edit: the
 * declaration is looked up in lib/ — in the .ts file beside the compiled module that exports it, or
 * else by name across lib/ — and cut out with the TypeScript parser, JSDoc included. Only when no
 * lib/ source is found (a published build) is the compiled `fn.toString()` shown, and it says so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TS from 'typescript';
import { escapeHtml } from '../plots/html';
import { projectRoot } from './context';

/**
 * A function or class of the library: anything with a name, e.g. `av.scenes.buildSceneModel`, a registry
 * entry's `build`, or `layer.constructor` for a layer class the library does not export.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type Declared = Function;

/** Where a declaration was found and its text. */
export interface SourceSnippet {
  name: string;
  /** Path relative to the repository root, e.g. `lib/scenes/models/registry.ts`; absent for compiled code. */
  file?: string;
  /** 1-based line of the first line of `code` in `file`. */
  line?: number;
  code: string;
  /** `typescript` for lib/ sources, `javascript` when only the compiled code was found. */
  language: 'typescript' | 'javascript';
}

/** Options of `showSource`. */
export interface ShowSourceOptions {
  /** Name of the declaration to look up, when it differs from `fn.name` (e.g. a method of a class). */
  name?: string;
  /** Lines matching this are marked (e.g. the lines that implement the equation). */
  highlight?: string | RegExp;
  /** A line of text shown above the code, e.g. the equation in words. */
  caption?: string;
  /** Leave out the JSDoc comment above the declaration. */
  noDoc?: boolean;
  /** Repository root (default: found from the working directory). */
  root?: string;
}

function loadTs(): typeof TS | undefined {
  try {
    return require('typescript') as typeof TS;
  } catch {
    return undefined;
  }
}

/** The .ts file under lib/ that a loaded module (dist/x/y.js or lib/x/y.ts) came from. */
function moduleSourceOf(fn: unknown, root: string): string | undefined {
  for (const mod of Object.values(require.cache)) {
    if (!mod || !mod.exports || (typeof mod.exports !== 'object' && typeof mod.exports !== 'function')) continue;
    let exported = false;
    try {
      exported = Object.values(mod.exports as Record<string, unknown>).includes(fn);
    } catch {
      continue;
    }
    if (!exported) continue;
    const rel = path.relative(root, mod.filename);
    if (rel.startsWith('..')) continue;
    const ts = rel.startsWith(`lib${path.sep}`) && rel.endsWith('.ts') ? rel : rel.startsWith(`dist${path.sep}`) ? path.join('lib', rel.slice(5).replace(/\.js$/, '.ts')) : undefined;
    // index.ts files re-export everything: keep looking for the module that declares it.
    if (ts && !ts.endsWith(`${path.sep}index.ts`) && fs.existsSync(path.join(root, ts))) return ts;
  }
  return undefined;
}

function libFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return libFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The declaration named `name` in a parsed file: function, class, exported const, interface or type. */
function findDeclaration(ts: typeof TS, file: TS.SourceFile, name: string): TS.Node | undefined {
  for (const st of file.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name?.text === name) return st;
    if (ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)) return st;
  }
  return undefined;
}

function snippetFrom(ts: typeof TS, root: string, rel: string, name: string, noDoc: boolean): SourceSnippet | undefined {
  const text = fs.readFileSync(path.join(root, rel), 'utf8');
  if (!text.includes(name)) return undefined;
  const file = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true);
  const node = findDeclaration(ts, file, name);
  if (!node) return undefined;
  let from = node.getStart(file);
  if (!noDoc) {
    const doc = text.slice(node.getFullStart(), from).lastIndexOf('/**');
    if (doc >= 0) from = node.getFullStart() + doc;
  }
  const lineStart = text.lastIndexOf('\n', from - 1) + 1;
  const line = file.getLineAndCharacterOfPosition(lineStart).line + 1;
  return { name, file: rel.split(path.sep).join('/'), line, code: text.slice(lineStart, node.getEnd()), language: 'typescript' };
}

/**
 * Finds the TypeScript source of `fn` (a function or class exported by the library, or any
 * declaration in lib/ named `options.name`); falls back to the compiled code.
 */
export function sourceOf(fn: Declared, options: Pick<ShowSourceOptions, 'name' | 'noDoc' | 'root'> = {}): SourceSnippet {
  const name = options.name ?? fn.name;
  const ts = loadTs();
  let root: string | undefined;
  try {
    root = options.root ?? projectRoot();
  } catch {
    root = undefined;
  }
  if (ts && root && name && fs.existsSync(path.join(root, 'lib'))) {
    const first = moduleSourceOf(fn, root);
    if (first) {
      const s = snippetFrom(ts, root, first, name, options.noDoc ?? false);
      if (s) return s;
    }
    for (const abs of libFiles(path.join(root, 'lib'))) {
      const s = snippetFrom(ts, root, path.relative(root, abs), name, options.noDoc ?? false);
      if (s) return s;
    }
  }
  return { name: name || '(anonymous)', code: fn.toString(), language: 'javascript' };
}

const COLOURS = { keyword: '#0000c0', string: '#a31515', comment: '#008000', number: '#098658', type: '#267f99' };

/** Highlights TypeScript with the compiler's own scanner (no regular expressions, no external CSS). */
export function highlightTs(code: string): string[] {
  const ts = loadTs();
  if (!ts) return code.split('\n').map(escapeHtml);
  const K = ts.SyntaxKind;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, code);
  // Brace depth at each open `${`: the `}` that closes it continues the template string.
  const templates: number[] = [];
  let depth = 0;
  let html = '';
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken; kind = scanner.scan()) {
    if (kind === K.OpenBraceToken) depth++;
    if (kind === K.CloseBraceToken) {
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        kind = scanner.reScanTemplateToken(false);
      } else depth--;
    }
    if (kind === K.TemplateHead || kind === K.TemplateMiddle) templates.push(depth);
    const text = scanner.getTokenText();
    let colour: string | undefined;
    if (kind === K.SingleLineCommentTrivia || kind === K.MultiLineCommentTrivia) colour = COLOURS.comment;
    else if (kind === K.StringLiteral || kind === K.NoSubstitutionTemplateLiteral || kind === K.TemplateHead || kind === K.TemplateMiddle || kind === K.TemplateTail) colour = COLOURS.string;
    else if (kind === K.NumericLiteral || kind === K.BigIntLiteral) colour = COLOURS.number;
    else if (kind >= K.FirstKeyword && kind <= K.LastKeyword) colour = COLOURS.keyword;
    else if (kind === K.Identifier && /^[A-Z]/.test(text)) colour = COLOURS.type;
    const esc = escapeHtml(text);
    html += colour ? esc.split('\n').map((part) => (part ? `<span style="color:${colour}">${part}</span>` : '')).join('\n') : esc;
  }
  return html.split('\n');
}

/**
 * The source of `fn` as a self-contained HTML block (file and line above it, line numbers,
 * syntax colours, optional marked lines), for `nb.html(...)` right after an equation's markdown.
 */
export function showSource(fn: Declared, options: ShowSourceOptions = {}): string {
  const s = sourceOf(fn, options);
  const lines = s.language === 'typescript' ? highlightTs(s.code) : s.code.split('\n').map(escapeHtml);
  const raw = s.code.split('\n');
  const mark = options.highlight === undefined ? () => false : typeof options.highlight === 'string' ? (l: string) => l.includes(options.highlight as string) : (l: string) => (options.highlight as RegExp).test(l);
  const first = s.line ?? 1;
  const body = lines
    .map((l, i) => {
      const bg = mark(raw[i] ?? '') ? 'background:#fff3b0;' : '';
      return `<div style="${bg}white-space:pre"><span style="color:#999;user-select:none;display:inline-block;width:3.5em;text-align:right;padding-right:1em">${first + i}</span>${l}</div>`;
    })
    .join('');
  const where = s.file ? `${escapeHtml(s.file)}:${first} — <code>${escapeHtml(s.name)}</code>` : `<code>${escapeHtml(s.name)}</code> (compiled JavaScript: its TypeScript source was not found under lib/)`;
  const caption = options.caption ? `<div style="margin-bottom:4px">${escapeHtml(options.caption)}</div>` : '';
  return `<div class="avlab-source" style="font-size:12px;margin:6px 0">${caption}<div style="color:#555;margin-bottom:2px">${where}</div>` +
    `<div style="font-family:Menlo,Consolas,'DejaVu Sans Mono',monospace;background:#f8f8f8;border:1px solid #ddd;border-radius:3px;padding:6px 0;overflow-x:auto">${body}</div></div>`;
}
