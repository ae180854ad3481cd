/** The plotly.js bundle, read from node_modules so nothing is ever fetched from a CDN. */
import { readFileSync } from 'fs';

let cached: string | undefined;

/** Absolute path of the installed `plotly.min.js`. */
export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist-min/plotly.min.js');
}

/**
 * The bundle's source, safe to place inside an inline `<script>` element (any `</script` is
 * escaped). Read once per process.
 */
export function plotlyBundle(): string {
  if (cached === undefined) {
    cached = readFileSync(plotlyBundlePath(), 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return cached;
}

/** JSON for embedding in a `<script>`: `<` is escaped so no string can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
