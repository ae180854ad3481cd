/**
 * A deliberately tiny, safe markdown subset for the prose in results files: paragraphs, `-`/`*`
 * and numbered lists, `#` headings, **bold**, *em* and `code`. Everything is HTML-escaped first,
 * so results files cannot inject markup; `$…$` maths is kept as literal text.
 */
import { escapeHtml } from '../plots/html';

/**
 * Renders `md` to HTML. Headings are shifted down by `headingOffset` levels (default 3, so `#`
 * becomes `<h4>` below the report's notebook and section headings).
 */
export function markdownToHtml(md: string, headingOffset = 3): string {
  const out: string[] = [];
  let para: string[] = [];
  let list: { tag: 'ul' | 'ol'; items: string[] } | null = null;
  const flushPara = (): void => {
    if (para.length > 0) out.push(`<p>${inline(para.join(' '))}</p>`);
    para = [];
  };
  const flushList = (): void => {
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`);
    list = null;
  };

  for (const raw of md.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (line.trim() === '') {
      flushPara();
      flushList();
    } else if (heading) {
      flushPara();
      flushList();
      const level = Math.min(6, heading[1].length + headingOffset);
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
    } else if (bullet || numbered) {
      flushPara();
      const tag = bullet ? 'ul' : 'ol';
      if (list && list.tag !== tag) flushList();
      if (!list) list = { tag, items: [] };
      list.items.push((bullet ?? numbered)![1]);
    } else if (list && /^\s+/.test(raw)) {
      // an indented line continues the previous list item
      list.items[list.items.length - 1] += ` ${line.trim()}`;
    } else {
      flushList();
      para.push(line.trim());
    }
  }
  flushPara();
  flushList();
  return out.join('\n');
}

/** Inline markup on one escaped run of text; code and maths are protected from emphasis. */
function inline(text: string): string {
  const kept: string[] = [];
  const keep = (html: string): string => `\u0000${kept.push(html) - 1}\u0000`;
  let s = escapeHtml(text.replace(/\u0000/g, ''));
  s = s.replace(/`([^`]+)`/g, (_, code: string) => keep(`<code>${code}</code>`));
  s = s.replace(/\$([^$\n]+)\$/g, (m: string) => keep(`<span class="math">${m}</span>`));
  s = s.replace(/\*\*(?=\S)(.+?)\*\*/g, '<strong>$1</strong>');
  s = s.replace(/\*(?=[^\s*])([^*]+?)\*/g, '<em>$1</em>');
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => kept[Number(i)]);
}
