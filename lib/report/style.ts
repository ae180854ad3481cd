/** The report's stylesheet: readable on screen, paginated cleanly on A4. */
import { FONT_FAMILY } from '../plots/theme';

/** CSS embedded in `report/index.html` (no external fonts or resources). */
export const REPORT_CSS = `
:root { --ink: #222; --muted: #666; --rule: #ddd; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font-family: ${FONT_FAMILY}; color: var(--ink); line-height: 1.5; margin: 0; background: #fff; }
main { max-width: 860px; margin: 0 auto; padding: 24px 28px 48px; }
header.report { border-bottom: 3px solid var(--accent); margin-bottom: 18px; padding-bottom: 10px; }
header.report h1 { margin: 0 0 4px; font-size: 26px; }
.meta { color: var(--muted); font-size: 13px; margin: 2px 0; }
.meta b { color: var(--ink); font-weight: 600; }
nav.toc ol { margin: 6px 0 0; padding-left: 22px; font-size: 14px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
section.notebook { margin-top: 30px; }
section.notebook > h2 { font-size: 21px; margin: 0 0 4px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
section.part h3 { font-size: 16px; margin: 20px 0 6px; }
h4, h5, h6 { font-size: 14px; margin: 12px 0 4px; }
p { margin: 6px 0; }
code { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 0.9em; background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
.badge { display: inline-block; font-size: 11px; padding: 1px 7px; border-radius: 9px; background: #eef4fa; color: var(--accent); border: 1px solid #cfe0ef; }
.badge.simulated { background: #fff4e5; color: #9a5b00; border-color: #f2d3a6; }
figure { margin: 12px 0; text-align: center; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 12px; color: var(--muted); }
.missing { border: 1px dashed #c00; color: #c00; padding: 10px; font-size: 13px; }
.avlab-table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
.avlab-table caption { caption-side: top; text-align: left; font-weight: 600; padding: 4px 0; }
.avlab-table th, .avlab-table td { padding: 4px 10px; border-bottom: 1px solid var(--rule); }
.avlab-table th { border-bottom: 2px solid #444; text-align: left; }
.avlab-table td.num, .avlab-table th.num { text-align: right; font-variant-numeric: tabular-nums; }
.avlab-table tbody tr:nth-child(even) { background: #f7f7f7; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--rule); padding-top: 8px; }
@media print {
  main { max-width: none; padding: 0; }
  section.notebook { break-before: page; margin-top: 0; }
  figure, table, .avlab-table { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: var(--ink); }
}
`;
