/**
 * Stripe's v1 wire format for request parameters, as the stripe SDK (v23) writes it: form-encoded bodies and
 * query strings with bracket keys for nested objects (`metadata[paymentId]=x`, `created[gte]=1`) and indexed
 * arrays (`allowed_payment_method_types[0]=card`), in the parameters' own order. Brackets stay unencoded and
 * `!*()'` are percent-encoded, as qs does; a Date is sent as Unix seconds, null as an empty value (which unsets
 * a field at Stripe), undefined not at all. test/unit/gateway-stripe-form.test.ts compares it with the SDK's.
 */

export type FormParam =
  | string
  | number
  | boolean
  | Date
  | null
  | undefined
  | FormParams
  | readonly FormParam[];
export interface FormParams {
  readonly [key: string]: FormParam;
}

const QS_EXTRA: Readonly<Record<string, string>> = {
  '!': '%21',
  '*': '%2A',
  '(': '%28',
  ')': '%29',
  "'": '%27',
};

function encodeComponent(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!*()']/g, (char) => QS_EXTRA[char] ?? char)
    .replaceAll('%5B', '[')
    .replaceAll('%5D', ']');
}

function scalar(value: string | number | boolean | Date | null): string {
  if (value instanceof Date) return String(Math.floor(value.getTime() / 1000));
  return value === null ? '' : String(value);
}

function append(pairs: string[], key: string, value: FormParam): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || value instanceof Date) {
    pairs.push(`${encodeComponent(key)}=${encodeComponent(scalar(value))}`);
    return;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of (value as readonly FormParam[]).entries())
      append(pairs, `${key}[${index}]`, item);
    return;
  }
  for (const [name, item] of Object.entries(value as FormParams)) append(pairs, `${key}[${name}]`, item);
}

/** `params` as Stripe's form encoding (the POST body, or the query string of a GET without its `?`). */
export function encodeForm(params: FormParams): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(params)) append(pairs, key, value);
  return pairs.join('&');
}
