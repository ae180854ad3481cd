/** Tables as the report stores them. */
import { toTableData, type TableInput } from '../plots/table';
import type { ResultsTable } from './types';

/** Any table input (row objects, `{ columns, rows }`, an arquero table) → a report table. */
export function toSectionTable(input: TableInput, caption?: string): ResultsTable {
  const { columns, rows } = toTableData(input);
  return { columns, rows: rows.map((r) => r.map((v) => (typeof v === 'boolean' ? String(v) : v ?? null))), caption };
}
