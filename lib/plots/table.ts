/** Result tables as HTML, for notebook outputs and the report. */
import { FONT_FAMILY } from './theme';
import { escapeHtml } from './html';

/** A table cell value. */
export type Cell = string | number | boolean | null | undefined;

/** A column-oriented table as stored in results files. */
export interface TableData {
  columns: string[];
  rows: Cell[][];
}

/** The part of an arquero `ColumnTable` the renderer needs (avoids importing arquero here). */
export interface ColumnTableLike {
  columnNames(): string[];
  objects(): object[];
}

/** Anything `tableHtml` renders: row objects, `{columns, rows}`, or an arquero table. */
export type TableInput = readonly object[] | TableData | ColumnTableLike;

/** Options for `tableHtml`. */
export interface TableHtmlOptions {
  /** Columns to show, in order; defaults to all. */
  columns?: string[];
  caption?: string;
  /** Decimal places for non-integer numbers (default 3). */
  digits?: number;
  /** Show at most this many rows and say how many were left out. */
  maxRows?: number;
  /** Include the small `<style>` block (default true; the report has its own CSS). */
  style?: boolean;
}

const STYLE = `<style>
.avlab-table{border-collapse:collapse;font-family:${FONT_FAMILY};font-size:13px;margin:6px 0}
.avlab-table caption{caption-side:top;text-align:left;font-weight:600;padding:4px 0}
.avlab-table th,.avlab-table td{padding:4px 10px;border-bottom:1px solid #ddd}
.avlab-table th{border-bottom:2px solid #444;text-align:left}
.avlab-table td.num,.avlab-table th.num{text-align:right;font-variant-numeric:tabular-nums}
.avlab-table tbody tr:nth-child(even){background:#f7f7f7}
</style>`;

/**
 * Renders a table as self-contained HTML (escaped; numeric columns right-aligned). Accepts an
 * array of row objects, a `{columns, rows}` table, or an arquero table.
 */
export function tableHtml(input: TableInput, options: TableHtmlOptions = {}): string {
  const { columns: all, rows } = toTableData(input);
  const columns = options.columns ?? all;
  const index = columns.map((c) => {
    const i = all.indexOf(c);
    if (i < 0) throw new Error(`tableHtml: no column "${c}" (columns: ${all.join(', ')})`);
    return i;
  });
  const digits = options.digits ?? 3;
  const shown = options.maxRows !== undefined ? rows.slice(0, options.maxRows) : rows;
  const numeric = index.map((i) => rows.some((r) => typeof r[i] === 'number') && rows.every((r) => r[i] == null || typeof r[i] === 'number'));
  const cls = (j: number): string => (numeric[j] ? ' class="num"' : '');

  const head = columns.map((c, j) => `<th${cls(j)}>${escapeHtml(c)}</th>`).join('');
  const body = shown
    .map((r) => `<tr>${index.map((i, j) => `<td${cls(j)}>${escapeHtml(formatCell(r[i], digits))}</td>`).join('')}</tr>`)
    .join('\n');
  const more =
    shown.length < rows.length
      ? `<tr><td colspan="${columns.length}">… ${rows.length - shown.length} more rows</td></tr>`
      : '';
  const caption = options.caption !== undefined ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  return `${options.style === false ? '' : STYLE}<table class="avlab-table">${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}${more}\n</tbody></table>`;
}

/** Normalises any accepted input to `{columns, rows}`. */
export function toTableData(input: TableInput): TableData {
  if (isColumnTable(input)) return fromObjects(input.objects(), input.columnNames());
  if (Array.isArray(input)) return fromObjects(input);
  const t = input as TableData;
  t.rows.forEach((r, i) => {
    if (r.length !== t.columns.length) throw new Error(`tableHtml: row ${i} has ${r.length} cells for ${t.columns.length} columns`);
  });
  return t;
}

/** Formats one cell: integers as-is, other numbers to `digits` places, objects as JSON. */
export function formatCell(v: unknown, digits = 3): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : v.toFixed(digits);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

function fromObjects(objects: readonly object[], columns?: string[]): TableData {
  const cols = columns ?? [...new Set(objects.flatMap((o) => Object.keys(o)))];
  const rows = objects.map((o) => cols.map((c) => toCell((o as Record<string, unknown>)[c])));
  return { columns: cols, rows };
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return formatCell(v);
}

function isColumnTable(input: TableInput): input is ColumnTableLike {
  const t = input as Partial<ColumnTableLike>;
  return typeof t.columnNames === 'function' && typeof t.objects === 'function';
}
