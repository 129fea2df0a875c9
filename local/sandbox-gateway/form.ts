/**
 * Stripe's v1 wire format: form-encoded bodies and query strings with bracket keys
 * (`metadata[paymentId]=x`, `created[gte]=1`, `allowed_payment_method_types[0]=card`).
 */

export type FormValue = string | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Nested params; arrays stay objects keyed "0", "1", ... (see listOf). */
export function parseForm(text: string): FormObject {
  const root: FormObject = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const [head = key, ...rest] = key.split('[');
    const path = [head, ...rest.map((part) => part.replace(/\]$/, ''))];
    let node = root;
    for (const [index, segment] of path.entries()) {
      if (index === path.length - 1) {
        node[segment] = value;
        break;
      }
      const next = node[segment];
      if (typeof next === 'object') {
        node = next;
      } else {
        const child: FormObject = {};
        node[segment] = child;
        node = child;
      }
    }
  }
  return root;
}

/** The request's parameters in a canonical order: equal params give equal fingerprints. */
export function canonicalParams(text: string): string {
  return [...new URLSearchParams(text)]
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .sort()
    .join('&');
}

export function stringParam(params: FormObject, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

export function objectParam(params: FormObject, name: string): FormObject | undefined {
  const value = params[name];
  return typeof value === 'object' ? value : undefined;
}

/** A string-valued map such as metadata. */
export function stringMap(value: FormObject | undefined): Record<string, string> {
  if (!value) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
