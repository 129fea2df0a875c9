import type { Shape, StructureShape } from './query-shapes';

/**
 * Writes a JSON-protocol answer as the query protocol's XML, shaped as AWS
 * sends it: `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>
 * <RequestId/></ResponseMetadata></ActionResponse>`, errors as
 * `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/><Detail/></Error>
 * <RequestId/></ErrorResponse>` (the SQS developer guide's "Interpreting Amazon SQS XML API responses").
 */

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A literal CR would be read back as LF by every XML parser; AWS sends it as a character reference.
  '\r': '&#xD;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (character) => XML_ESCAPES[character] ?? character);
}

function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The content of one element of the given shape (scalars as text, structures as child elements). */
function encodeValue(shape: Shape, value: unknown): string {
  if (shape.kind === 'structure') return isRecord(value) ? encodeMembers(shape, value) : '';
  return escapeXml(String(value));
}

/** One member: flattened lists and maps repeat the member's element, once per item or entry. */
function encodeMember(wire: string, shape: Shape, value: unknown): string {
  if (shape.kind === 'list') {
    if (!Array.isArray(value)) return '';
    return value.map((item) => element(wire, encodeValue(shape.member, item))).join('');
  }
  if (shape.kind === 'map') {
    if (!isRecord(value)) return '';
    return Object.entries(value)
      .map(([key, entry]) =>
        element(
          wire,
          element(shape.keyName, escapeXml(key)) + element('Value', encodeValue(shape.value, entry)),
        ),
      )
      .join('');
  }
  return element(wire, encodeValue(shape, value));
}

export function encodeMembers(shape: StructureShape, value: Record<string, unknown>): string {
  let xml = '';
  for (const [name, member] of Object.entries(shape.members)) {
    const memberValue = value[name];
    if (memberValue === undefined || memberValue === null) continue;
    xml += encodeMember(member.wire, member.shape, memberValue);
  }
  return xml;
}

export interface QuerySuccess {
  readonly action: string;
  readonly namespace: string;
  readonly requestId: string;
  readonly shape?: StructureShape;
  readonly result?: unknown;
}

export function successXml({ action, namespace, requestId, shape, result }: QuerySuccess): string {
  const body = shape ? element(`${action}Result`, isRecord(result) ? encodeMembers(shape, result) : '') : '';
  return (
    `<?xml version="1.0"?><${action}Response xmlns="${namespace}">${body}` +
    `${element('ResponseMetadata', element('RequestId', escapeXml(requestId)))}</${action}Response>`
  );
}

export interface QueryFailure {
  /** The service's XML namespace; absent when no service answers (an action for a service not served). */
  readonly namespace?: string;
  readonly requestId: string;
  /** "Sender" for the caller's faults (4xx), "Receiver" for the service's (5xx). */
  readonly type: 'Sender' | 'Receiver';
  readonly code: string;
  readonly message: string;
}

export function errorXml({ namespace, requestId, type, code, message }: QueryFailure): string {
  const error = element(
    'Error',
    element('Type', type) +
      element('Code', escapeXml(code)) +
      element('Message', escapeXml(message)) +
      '<Detail/>',
  );
  return (
    `<?xml version="1.0"?><ErrorResponse${namespace ? ` xmlns="${namespace}"` : ''}>${error}` +
    `${element('RequestId', escapeXml(requestId))}</ErrorResponse>`
  );
}
