/**
 * An item's size by DynamoDB's rules (docs: "Item sizes and formats"): the
 * sum of its attribute names' and values' lengths. Strings count their UTF-8
 * bytes, numbers about one byte per two significant digits plus one, a map or
 * list 3 bytes plus 1 per element plus its elements. Good to a few bytes.
 */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

function valueSize(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') {
    const digits = String(Math.abs(value)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + valueSize(v) + 1, 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
        (sum, [name, v]) => sum + utf8(name) + valueSize(v) + 1,
        0,
      )
    );
  }
  return 0;
}
