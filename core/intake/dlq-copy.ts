import { containsPan, findPanPaths, redactPans } from '../pan';

/** SQS's default (and, for the intake queue and its DLQ, configured) MaximumMessageSize: body plus attributes. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

const MASK = '[REDACTED PAN]';

/**
 * The masked body keeps JSON valid where the body was JSON: a card number written as a JSON number
 * becomes the mask string, not bare text ("value":[REDACTED PAN] would no longer parse, and neither
 * `payctl dlq` nor a redrive could read it). Keys and string values are masked in place.
 */
function maskParsed(value: unknown): unknown {
  if (typeof value === 'string') return redactPans(value);
  if (typeof value === 'number') return Number.isInteger(value) && containsPan(String(value)) ? MASK : value;
  if (Array.isArray(value)) return value.map(maskParsed);
  if (value && typeof value === 'object') {
    const masked: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // defineProperty: a "__proto__" key stays data instead of replacing the copy's prototype.
      Object.defineProperty(masked, redactPans(key), {
        value: maskParsed(child),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return masked;
  }
  return value;
}

function maskedBody(body: string): string {
  if (!containsPan(body)) {
    try {
      if (findPanPaths(JSON.parse(body)).length === 0) return body;
    } catch {
      return body;
    }
  }
  try {
    // Re-serialized: duplicate keys collapse as parsing resolved them; the text pass catches anything left.
    return redactPans(JSON.stringify(maskParsed(JSON.parse(body))));
  } catch {
    // Not JSON, or nested too deep to walk: mask the text.
    return redactPans(body);
  }
}

function cutToBytes(text: string, bytes: number): string {
  const cut = Buffer.from(text, 'utf8').subarray(0, Math.max(0, bytes)).toString('utf8');
  // A character split by the cut decodes as U+FFFD: drop it rather than store a character that was not sent.
  return cut.endsWith('\uFFFD') && !text.startsWith(cut) ? cut.slice(0, -1) : cut;
}

/**
 * What intake stores in its DLQ for a rejected message: the body with every card number masked, cut
 * (and said so) only when it and the rejection's attributes would not fit one SQS message — a body
 * just under the queue's ceiling leaves no room for them, and a copy SQS refuses would have the
 * rejection retried until maxReceiveCount moved it without its reason.
 */
export function dlqCopy(body: string, attributeBytes: number): { body: string; originalBytes?: number } {
  const masked = maskedBody(body);
  const budget = SQS_MAX_MESSAGE_BYTES - attributeBytes;
  const bytes = Buffer.byteLength(masked, 'utf8');
  if (bytes <= budget) return { body: masked };
  return { body: cutToBytes(masked, budget), originalBytes: bytes };
}

/** Bytes SQS counts for message attributes: name, data type and value of each. */
export function attributeBytes(
  attributes: Record<string, { DataType: string; StringValue?: string }>,
): number {
  let total = 0;
  for (const [name, value] of Object.entries(attributes)) {
    total +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType) +
      Buffer.byteLength(value.StringValue ?? '');
  }
  return total;
}
