/**
 * Deterministic SVG: plotly draws with random ids (`clip3f2a1bxyplot`, `defs-3f2a1b`, ...), so
 * the same figure would differ byte-wise between runs and churn diffs of committed figures.
 */

/**
 * Makes plotly's SVG output reproducible: ids renamed (`normaliseSvgIds`) and every element's
 * attributes in canonical order, since Chromium's serialiser order depends on when plotly set
 * them (e.g. the root's empty `style`).
 */
export function normaliseSvg(svg: string, prefix: string): string {
  return canonicalAttributes(normaliseSvgIds(svg, prefix));
}

/**
 * Renames every `id` in `svg` to `<prefix>-<n>` in document order and rewrites the `url(#…)`
 * and `href="#…"` references to match. A per-figure prefix keeps ids unique when several
 * figures are inlined into one page.
 */
export function normaliseSvgIds(svg: string, prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, '_') || 'fig';
  const rename = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    if (!rename.has(m[1])) rename.set(m[1], `${safe}-${rename.size + 1}`);
  }
  const to = (id: string): string => rename.get(id) ?? id;
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => a + to(id) + b)
    .replace(/url\((['"]?)#([^)'"]+)\1\)/g, (_, q: string, id: string) => `url(${q}#${to(id)}${q})`)
    .replace(/(href=")#([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}#${to(id)}${b}`);
}

/**
 * Sorts each start tag's attributes (namespace declarations first, then by name) and drops empty
 * `style` attributes. Values are matched by their quotes, so a `>` inside one is harmless.
 */
export function canonicalAttributes(svg: string): string {
  return svg.replace(/<([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/g, (_, tag: string, attrs: string, close: string) => {
    const list = [...attrs.matchAll(/\s+([\w:.-]+)="([^"]*)"/g)]
      .filter((m) => !(m[1] === 'style' && m[2].trim() === ''))
      .map((m) => ({ name: m[1], text: `${m[1]}="${m[2]}"` }));
    const rank = (n: string): string => (n === 'xmlns' || n.startsWith('xmlns:') ? `0${n}` : `1${n}`);
    list.sort((a, b) => (rank(a.name) < rank(b.name) ? -1 : rank(a.name) > rank(b.name) ? 1 : 0));
    return `<${tag}${list.map((a) => ` ${a.text}`).join('')}${close}>`;
  });
}

/** Reads `width` and `height` (in px) from the root `<svg>` element; throws if absent. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg);
  if (!root) throw new Error('svgSize: no <svg> root element');
  const attr = (name: string): number => {
    const m = new RegExp(`\\s${name}="([0-9.]+)(px)?"`).exec(root[0]);
    if (!m) throw new Error(`svgSize: root <svg> has no numeric ${name}`);
    return Number(m[1]);
  };
  return { width: attr('width'), height: attr('height') };
}
