/** Just enough XML reading for S3's answers (ListObjectsV2, error bodies): elements by tag, entities decoded. */

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export const unescapeXml = (text: string): string =>
  text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) =>
    entity.startsWith('#x')
      ? String.fromCodePoint(Number.parseInt(entity.slice(2), 16))
      : entity.startsWith('#')
        ? String.fromCodePoint(Number(entity.slice(1)))
        : (XML_ENTITIES[entity] ?? ''),
  );
/** The text of each <tag>...</tag> directly in `xml` (no nesting of the same tag, as S3's answers). */
export const xmlElements = (xml: string, tag: string): string[] =>
  [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1] ?? '');
export const xmlElement = (xml: string, tag: string): string | undefined => {
  const found = xmlElements(xml, tag)[0];
  return found === undefined ? undefined : unescapeXml(found);
};
