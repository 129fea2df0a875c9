import type {
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput as QueryCommandInput_,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, type marshallOptions, unmarshall, type unmarshallOptions } from '@aws-sdk/util-dynamodb';
import { AwsServiceError } from './errors';
import { type AwsClientConfig, AwsJsonClient, type JsonService } from './json-client';

/**
 * DynamoDB's document client over the lean transport (./json-client.ts), with
 * @aws-sdk/lib-dynamodb's calling shape for the commands paysaga uses:
 * `doc.send(new PutCommand(input))`, the same input and output types (imported
 * as types only: no SDK code is bundled), values marshalled and unmarshalled by
 * @aws-sdk/util-dynamodb exactly where lib-dynamodb does. A refused condition
 * throws an error named ConditionalCheckFailedException whose `Item` (with
 * ReturnValuesOnConditionCheckFailure: ALL_OLD) is the refused item,
 * unmarshalled. `middlewareStack.add` wraps every call as an SDK
 * initialize-step middleware does (before marshalling and retries): the cost
 * bench counts capacity and the saga harness injects faults through it.
 */

export const DYNAMODB_SERVICE: JsonService = {
  signingName: 'dynamodb',
  host: (region) => `dynamodb.${region}.amazonaws.com`,
  targetPrefix: 'DynamoDB_20120810',
  jsonVersion: '1.0',
  envKey: 'DYNAMODB',
};

type Doc = Record<string, unknown>;
type Wire = Record<string, unknown>;

/** Legacy parameters lib-dynamodb also marshals; paysaga writes expressions, so they are refused at compile time. */
type Legacy =
  | 'Expected'
  | 'AttributeUpdates'
  | 'KeyConditions'
  | 'QueryFilter'
  | 'ScanFilter'
  | 'ConditionalOperator';

interface Translation {
  readonly marshall: marshallOptions;
  readonly unmarshall: unmarshallOptions;
}

/** A map of document values to attribute values, value by value as lib-dynamodb does (undefined values dropped). */
function marshallMap(map: unknown, options: marshallOptions): Wire | undefined {
  if (map === undefined || map === null) return undefined;
  const out: Wire = {};
  for (const [key, value] of Object.entries(map as Doc)) {
    if (value === undefined || typeof value === 'function') continue;
    out[key] = toWireValue(marshall(value as never, options) as unknown as Wire);
  }
  return out;
}

function unmarshallMap(map: unknown, options: unmarshallOptions): Doc | undefined {
  if (map === undefined || map === null) return undefined;
  const native: Wire = {};
  for (const [key, value] of Object.entries(map as Wire)) native[key] = fromWireValue(value as Wire);
  return unmarshall(native as never, options);
}

/** Binary values travel as base64 in the JSON protocol. */
function toWireValue(value: Wire): Wire {
  if (value.B instanceof Uint8Array) return { B: Buffer.from(value.B).toString('base64') };
  if (Array.isArray(value.BS))
    return { BS: value.BS.map((b: Uint8Array) => Buffer.from(b).toString('base64')) };
  if (Array.isArray(value.L)) return { L: value.L.map((v: Wire) => toWireValue(v)) };
  if (value.M && typeof value.M === 'object') {
    const m: Wire = {};
    for (const [k, v] of Object.entries(value.M as Wire)) m[k] = toWireValue(v as Wire);
    return { M: m };
  }
  return value;
}

function fromWireValue(value: Wire): Wire {
  if (typeof value.B === 'string') return { B: new Uint8Array(Buffer.from(value.B, 'base64')) };
  if (Array.isArray(value.BS))
    return { BS: value.BS.map((b: string) => new Uint8Array(Buffer.from(b, 'base64'))) };
  if (Array.isArray(value.L)) return { L: value.L.map((v: Wire) => fromWireValue(v)) };
  if (value.M && typeof value.M === 'object') {
    const m: Wire = {};
    for (const [k, v] of Object.entries(value.M as Wire)) m[k] = fromWireValue(v as Wire);
    return { M: m };
  }
  return value;
}

/** Replaces the named fields of `record` by `convert(field)`, leaving absent ones absent. */
function mapFields(record: Doc, fields: readonly string[], convert: (value: unknown) => unknown): Doc {
  const out: Doc = { ...record };
  for (const field of fields) {
    if (out[field] === undefined) continue;
    const converted = convert(out[field]);
    if (converted === undefined) delete out[field];
    else out[field] = converted;
  }
  return out;
}

/** One document command: its DynamoDB operation and which fields hold document values each way. */
export abstract class DocumentCommand<Input, Output> {
  /** Only for type inference of send()'s answer. */
  declare readonly outputType?: Output;
  /** The DynamoDB operation, e.g. "PutItem". */
  abstract readonly operation: string;
  /** Top-level input fields that are maps of document values. */
  protected readonly inputMaps: readonly string[] = [];
  /** Top-level output fields that are maps of document values. */
  protected readonly outputMaps: readonly string[] = [];

  constructor(readonly input: Input) {}

  /** The low-level command's name, as an SDK middleware sees it in `context.commandName`. */
  get commandName(): string {
    return `${this.operation}Command`;
  }

  toWire(input: Doc, options: marshallOptions): Wire {
    return mapFields(input, this.inputMaps, (map) => marshallMap(map, options));
  }

  fromWire(output: Wire, options: unmarshallOptions): Output {
    return mapFields(output, this.outputMaps, (map) => unmarshallMap(map, options)) as Output;
  }
}

export class GetCommand extends DocumentCommand<Omit<GetCommandInput, Legacy>, GetCommandOutput> {
  readonly operation = 'GetItem';
  protected override readonly inputMaps = ['Key'];
  protected override readonly outputMaps = ['Item'];
}

export class PutCommand extends DocumentCommand<Omit<PutCommandInput, Legacy>, PutCommandOutput> {
  readonly operation = 'PutItem';
  protected override readonly inputMaps = ['Item', 'ExpressionAttributeValues'];
  protected override readonly outputMaps = ['Attributes'];
}

export class UpdateCommand extends DocumentCommand<Omit<UpdateCommandInput, Legacy>, UpdateCommandOutput> {
  readonly operation = 'UpdateItem';
  protected override readonly inputMaps = ['Key', 'ExpressionAttributeValues'];
  protected override readonly outputMaps = ['Attributes'];
}

export class DeleteCommand extends DocumentCommand<Omit<DeleteCommandInput, Legacy>, DeleteCommandOutput> {
  readonly operation = 'DeleteItem';
  protected override readonly inputMaps = ['Key', 'ExpressionAttributeValues'];
  protected override readonly outputMaps = ['Attributes'];
}

/** Query and Scan: Items is a list of items, LastEvaluatedKey a map. */
abstract class ReadManyCommand<Input, Output> extends DocumentCommand<Input, Output> {
  protected override readonly inputMaps = ['ExclusiveStartKey', 'ExpressionAttributeValues'];
  protected override readonly outputMaps = ['LastEvaluatedKey'];

  override fromWire(output: Wire, options: unmarshallOptions): Output {
    const page = super.fromWire(output, options) as Doc;
    if (Array.isArray(output.Items)) page.Items = output.Items.map((item) => unmarshallMap(item, options));
    return page as Output;
  }
}

export class QueryCommand extends ReadManyCommand<QueryCommandInput, QueryCommandOutput> {
  readonly operation = 'Query';
}

export class ScanCommand extends ReadManyCommand<Omit<ScanCommandInput, Legacy>, ScanCommandOutput> {
  readonly operation = 'Scan';
}

type WriteRequests = Record<string, readonly Doc[]>;

function mapRequests(requests: unknown, convert: (map: unknown) => unknown): WriteRequests | undefined {
  if (!requests) return undefined;
  const out: Record<string, Doc[]> = {};
  for (const [table, list] of Object.entries(requests as Record<string, Doc[]>)) {
    out[table] = list.map((request) => {
      const put = request.PutRequest as Doc | undefined;
      const del = request.DeleteRequest as Doc | undefined;
      return {
        ...request,
        ...(put && { PutRequest: { ...put, Item: convert(put.Item) } }),
        ...(del && { DeleteRequest: { ...del, Key: convert(del.Key) } }),
      };
    });
  }
  return out;
}

export class BatchWriteCommand extends DocumentCommand<BatchWriteCommandInput, BatchWriteCommandOutput> {
  readonly operation = 'BatchWriteItem';

  override toWire(input: Doc, options: marshallOptions): Wire {
    return { ...input, RequestItems: mapRequests(input.RequestItems, (map) => marshallMap(map, options)) };
  }

  override fromWire(output: Wire, options: unmarshallOptions): BatchWriteCommandOutput {
    const unprocessed = mapRequests(output.UnprocessedItems, (map) => unmarshallMap(map, options));
    return { ...output, ...(unprocessed && { UnprocessedItems: unprocessed }) } as BatchWriteCommandOutput;
  }
}

type Handler = (args: { input: Record<string, unknown> }) => Promise<{ output: unknown }>;
/** An SDK-shaped middleware: wraps the call; `context.commandName` is the low-level name (PutItemCommand). */
export type DynamoMiddleware = (next: Handler, context: { readonly commandName: string }) => Handler;

export interface DynamoClientConfig extends Omit<AwsClientConfig, 'region'> {
  /** The region, or how to find it at the first call (payctl: the SDK's, which reads profiles). */
  readonly region?: string | (() => Promise<string>) | undefined;
  /** As lib-dynamodb's translateConfig (paysaga: removeUndefinedValues). */
  readonly marshallOptions?: marshallOptions | undefined;
  readonly unmarshallOptions?: unmarshallOptions | undefined;
}

/** The one method of a document client that stores use (tests and benches wrap it). */
export type DocumentClient = Pick<DynamoDocumentClient, 'send'>;

export class DynamoDocumentClient {
  private transport: AwsJsonClient | undefined;
  private readonly middlewares: DynamoMiddleware[] = [];
  private readonly translation: Translation;

  /** The SDK's hook, as much of it as paysaga uses: `add(middleware)`; the first added is the outermost. */
  readonly middlewareStack = {
    add: (middleware: DynamoMiddleware, _options?: { readonly step?: string; readonly name?: string }) => {
      this.middlewares.push(middleware);
    },
  };

  constructor(private readonly config: DynamoClientConfig = {}) {
    this.translation = {
      marshall: { convertTopLevelContainer: true, ...config.marshallOptions },
      unmarshall: { convertWithoutMapWrapper: false, ...config.unmarshallOptions },
    };
  }

  /** Sends one document command; a service error keeps its code as `name` (ConditionalCheckFailedException). */
  send<Input, Output>(command: DocumentCommand<Input, Output>): Promise<Output> {
    return this.through(command.commandName, command.input as Doc, async (input) => {
      const answer = await this.wire(
        command.operation,
        command.toWire(input, this.translation.marshall),
        true,
      );
      return command.fromWire(answer, this.translation.unmarshall);
    }) as Promise<Output>;
  }

  /**
   * One low-level call with attribute values as DynamoDB takes them (GetItem,
   * PutItem, ...), through the same middlewares; a refused condition's `Item`
   * stays marshalled, as on the SDK's low-level client.
   */
  call(operation: string, input: Wire): Promise<Wire> {
    return this.through(`${operation}Command`, input, (wire) =>
      this.wire(operation, wire, false),
    ) as Promise<Wire>;
  }

  /** A client has no resources of its own to free (sockets are pooled per process); as the SDK's destroy(). */
  destroy(): void {}

  private async through(
    commandName: string,
    input: Doc,
    last: (input: Doc) => Promise<unknown>,
  ): Promise<unknown> {
    let handler: Handler = async (args) => ({ output: await last(args.input) });
    for (let i = this.middlewares.length - 1; i >= 0; i--) {
      handler = (this.middlewares[i] as DynamoMiddleware)(handler, { commandName });
    }
    const { output } = await handler({ input });
    return output;
  }

  private async connect(): Promise<AwsJsonClient> {
    const { region, ...config } = this.config;
    return new AwsJsonClient(DYNAMODB_SERVICE, {
      ...config,
      region: typeof region === 'function' ? await region() : region,
    });
  }

  private async wire(operation: string, input: Wire, unmarshallItem: boolean): Promise<Wire> {
    this.transport ??= await this.connect();
    try {
      const answer = await this.transport.call<Wire>(operation, input);
      return { ...answer, $metadata: { httpStatusCode: 200 } };
    } catch (error) {
      if (error instanceof AwsServiceError && error.details.Item) {
        const item = error.details.Item;
        Object.assign(error, {
          Item: unmarshallItem ? unmarshallMap(item, this.translation.unmarshall) : item,
        });
      }
      throw error;
    }
  }
}

/** Input types as the stores name them (lib-dynamodb's, without the legacy parameters). */
export type QueryCommandInput = Omit<QueryCommandInput_, Legacy>;
export type { BatchWriteCommandInput };
