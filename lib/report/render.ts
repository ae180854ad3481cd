/** Turns validated results into the report's HTML page. */
import { escapeHtml } from '../plots/html';
import { tableHtml } from '../plots/table';
import { markdownToHtml } from './markdown';
import { notebookStem } from './results';
import { REPORT_CSS } from './style';
import type { NotebookResults, ResultsSection } from './types';

/** What the renderer needs besides the results: how to reach figures and executed notebooks. */
export interface RenderContext {
  generatedAt: Date;
  /** Relative URL of a figure's image, or undefined when it was not exported. */
  figureSrc(name: string): string | undefined;
  /** Relative URL of a notebook's HTML rendering, or undefined when there is none. */
  notebookHref(notebook: string): string | undefined;
}

/** The complete `index.html`: header (date, profiles, backends), contents, one section per notebook. */
export function renderReportHtml(notebooks: readonly NotebookResults[], ctx: RenderContext): string {
  const distinct = (values: string[]): string => [...new Set(values)].map(escapeHtml).join(', ') || '—';
  const date = ctx.generatedAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const toc = notebooks
    .map((nb) => `<li><a href="#${anchor(nb)}">${escapeHtml(nb.title)}</a></li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>avlab report</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header class="report">
<h1>avlab report</h1>
<p class="meta">Generated <b>${escapeHtml(date)}</b> · profile <b>${distinct(notebooks.map((n) => n.profile))}</b> · backend <b>${distinct(notebooks.map((n) => n.backend))}</b> · data <b>${distinct(notebooks.map((n) => n.source))}</b></p>
</header>
<nav class="toc"><b>Notebooks</b><ol>${toc}</ol></nav>
${notebooks.map((nb) => renderNotebook(nb, ctx)).join('\n')}
<footer>Built from ${notebooks.length} results file${notebooks.length === 1 ? '' : 's'}; figures are static exports of the notebooks' figures.</footer>
</main>
</body>
</html>
`;
}

function renderNotebook(nb: NotebookResults, ctx: RenderContext): string {
  const href = ctx.notebookHref(nb.notebook);
  const file = `${notebookStem(nb.notebook)}.ipynb`;
  const fileHtml = href ? `<a href="${escapeHtml(href)}">${escapeHtml(file)}</a>` : `<code>${escapeHtml(file)}</code>`;
  return `<section class="notebook" id="${anchor(nb)}">
<h2>${escapeHtml(nb.title)}</h2>
<p class="meta">${fileHtml} · <span class="badge ${nb.source}">${escapeHtml(nb.source)}</span> ${escapeHtml(nb.dataDescription)}</p>
<p class="meta">profile <b>${escapeHtml(nb.profile)}</b> · backend <b>${escapeHtml(nb.backend)}</b> · started ${escapeHtml(nb.startedAt)} · wall time ${escapeHtml(formatSeconds(nb.wallSeconds))}</p>
${nb.sections.map((s) => renderSection(s, ctx)).join('\n')}
</section>`;
}

function renderSection(s: ResultsSection, ctx: RenderContext): string {
  const parts = [`<h3>${escapeHtml(s.heading)}</h3>`];
  if (s.markdown) parts.push(markdownToHtml(s.markdown));
  if (s.table) parts.push(tableHtml({ columns: s.table.columns, rows: s.table.rows }, { caption: s.table.caption, style: false }));
  for (const name of s.figures ?? []) {
    const src = ctx.figureSrc(name);
    parts.push(
      src
        ? `<figure><img src="${escapeHtml(src)}" alt="${escapeHtml(name)}"><figcaption>${escapeHtml(name)}</figcaption></figure>`
        : `<figure><div class="missing">Figure <code>${escapeHtml(name)}</code> was not exported.</div></figure>`,
    );
  }
  return `<section class="part">\n${parts.join('\n')}\n</section>`;
}

/** A stable, URL-safe anchor for a notebook. */
function anchor(nb: NotebookResults): string {
  return `nb-${notebookStem(nb.notebook).replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** `83.4` → `1 min 23 s`; seconds below a minute keep one decimal. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s} s`;
}
