/**
 * The little XML that S3's REST API speaks (list results, errors, batch deletes, multipart
 * uploads), read and written without a DOM: Workers and Deno have no DOMParser. S3's answers
 * are flat and regular, so a tag's text is found by name.
 */

/** The text of every `<tag>…</tag>` in `xml`, entities decoded. */
export function xmlTexts(xml: string, tag: string): string[] {
  return xmlElements(xml, tag).map(unescapeXml);
}

/** The text of the first `<tag>…</tag>` in `xml`, entities decoded. */
export function xmlText(xml: string, tag: string): string | undefined {
  return xmlTexts(xml, tag)[0];
}

/** The raw inner XML of every `<tag>…</tag>` in `xml` (not nested in one another). */
export function xmlElements(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  return [...xml.matchAll(pattern)].map((match) => match[1] ?? '');
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** `text` safe inside an XML element. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (entity, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return NAMED[name] ?? entity;
  });
}
