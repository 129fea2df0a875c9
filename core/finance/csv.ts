/**
 * CSV as RFC 4180 says: CRLF line ends, a field quoted when it holds a comma,
 * a double quote, CR or LF (or leading/trailing spaces a spreadsheet would
 * trim), quotes inside doubled. Text that a spreadsheet would run as a formula
 * (= + - @ first) is prefixed with a single quote (OWASP CSV injection advice);
 * numbers are written as they are.
 */
export type CsvValue = string | number | boolean | undefined | null;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
