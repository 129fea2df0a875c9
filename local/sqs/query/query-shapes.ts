/**
 * The shapes of SQS's query protocol (API version 2012-11-05): how each
 * JSON member is named on the wire. Lists and maps are "flattened" in SQS:
 * a list member `AttributeNames` travels as `AttributeName.1`, `AttributeName.2`
 * in the request and as repeated `<AttributeName>` elements in the XML answer;
 * a map `Attributes` as `Attribute.1.Name` / `Attribute.1.Value` and
 * `<Attribute><Name/><Value/></Attribute>`. The wire names are those of the
 * SQS query model (botocore's `sqs/2012-11-05/service-2.json`, protocol "query").
 */

export type ScalarKind = 'string' | 'integer' | 'boolean';

export type Shape =
  | { readonly kind: ScalarKind }
  | { readonly kind: 'list'; readonly member: Shape }
  | { readonly kind: 'map'; readonly keyName: string; readonly value: Shape }
  | { readonly kind: 'structure'; readonly members: Readonly<Record<string, Member>> };

export interface Member {
  /** The member's name on the wire (query key segment, XML element). */
  readonly wire: string;
  readonly shape: Shape;
}

export type StructureShape = Extract<Shape, { kind: 'structure' }>;

export const string: Shape = { kind: 'string' };
export const integer: Shape = { kind: 'integer' };
export const boolean: Shape = { kind: 'boolean' };

export function list(member: Shape): Shape {
  return { kind: 'list', member };
}

/** A flattened map: each entry is `<wire>.N.<keyName>` and `<wire>.N.Value`. */
export function map(value: Shape, keyName = 'Name'): Shape {
  return { kind: 'map', keyName, value };
}

/** Members whose wire name differs from their JSON name are given as `[wireName, shape]`. */
export function structure(members: Record<string, Shape | readonly [string, Shape]>): StructureShape {
  const normalized: Record<string, Member> = {};
  for (const [name, spec] of Object.entries(members)) {
    normalized[name] = Array.isArray(spec)
      ? { wire: spec[0] as string, shape: spec[1] as Shape }
      : { wire: name, shape: spec as Shape };
  }
  return { kind: 'structure', members: normalized };
}
