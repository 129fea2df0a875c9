import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { type AwsJsonService, type AwsRequestContext, AwsServiceError } from '../edge/aws-json-service';
import { DEFAULT_REGION, LOCAL_ACCOUNT_ID } from '../edge/request-context';
import { type EventPatternLike, eventMatches } from './pattern-match';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

export interface EventTarget {
  readonly id: string;
  readonly arn: string;
  /**
   * Synchronous targets (SQS) are delivered before PutEvents answers, so an
   * accepted event is already durable in its queue; asynchronous targets
   * (functions, observers) run afterwards.
   */
  readonly synchronous: boolean;
  deliver(event: BusEvent): Promise<void>;
  /** Where an event goes after its retries, with the reason (the target's DeadLetterConfig). */
  deadLetter?(event: BusEvent, error: unknown, rule: string): Promise<void>;
}

export interface EventRule {
  readonly name: string;
  readonly eventBusName: string;
  readonly pattern: EventPatternLike;
  readonly targets: readonly EventTarget[];
  readonly description?: string;
}

/** Per-entry result, as PutEvents returns it. */
export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const DELIVERY_ATTEMPTS = 3;

const PutEventsInput = z.object({
  Entries: z.array(z.record(z.string(), z.unknown())),
  EndpointId: z.string().optional(),
});

const ruleArn = (region: string, bus: string, name: string) =>
  `arn:aws:events:${region}:${LOCAL_ACCOUNT_ID}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;

function awsTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** V8's JSON.stringify recurses: tens of thousands of nested arrays overflow its stack. */
function reserializable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

async function withRetries(attempts: number, action: () => Promise<void>): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      await action();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
  throw lastError;
}

/**
 * EventBridge: PutEvents with AWS's entry validation and per-entry results,
 * rules matched with the patterns from events/, delivery to targets.
 * Rules are wiring (from the same definitions as stacks/), not state: the
 * runtime registers them at start.
 */
export class EventBridgeService implements AwsJsonService {
  readonly targetPrefix = 'AWSEvents';
  readonly signingName = 'events';
  private readonly buses = new Set<string>(['default']);
  private readonly rules: EventRule[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly region: string;

  constructor(
    options: {
      region?: string;
      onDeliveryError?: (error: unknown, rule: string, target: string) => void;
    } = {},
  ) {
    this.region = options.region ?? DEFAULT_REGION;
    this.onDeliveryError = options.onDeliveryError;
  }

  private readonly onDeliveryError: ((error: unknown, rule: string, target: string) => void) | undefined;

  createEventBus(name: string): string {
    this.buses.add(name);
    return `arn:aws:events:${this.region}:${LOCAL_ACCOUNT_ID}:event-bus/${name}`;
  }

  putRule(rule: EventRule): void {
    if (!this.buses.has(rule.eventBusName)) throw new Error(`event bus ${rule.eventBusName} does not exist`);
    const index = this.rules.findIndex((r) => r.name === rule.name && r.eventBusName === rule.eventBusName);
    if (index >= 0) this.rules.splice(index, 1, rule);
    else this.rules.push(rule);
  }

  /** Resolves when every asynchronous delivery started so far has finished. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async handle(operation: string, input: unknown, context: AwsRequestContext): Promise<unknown> {
    switch (operation) {
      case 'PutEvents':
        return this.putEventsRequest(input, context);
      case 'ListEventBuses':
        return {
          EventBuses: [...this.buses].map((name) => ({
            Name: name,
            Arn: `arn:aws:events:${this.region}:${LOCAL_ACCOUNT_ID}:event-bus/${name}`,
          })),
        };
      case 'ListRules': {
        const bus = this.busName((input as { EventBusName?: string }).EventBusName);
        return {
          Rules: this.rules.filter((rule) => rule.eventBusName === bus).map((rule) => this.describe(rule)),
        };
      }
      case 'DescribeRule': {
        const { Name, EventBusName } = input as { Name?: string; EventBusName?: string };
        const bus = this.busName(EventBusName);
        const rule = this.rules.find((r) => r.name === Name && r.eventBusName === bus);
        if (!rule)
          throw new AwsServiceError(
            'ResourceNotFoundException',
            `Rule ${Name} does not exist on EventBus ${bus}.`,
          );
        return this.describe(rule);
      }
      case 'ListTargetsByRule': {
        const { Rule, EventBusName } = input as { Rule?: string; EventBusName?: string };
        const bus = this.busName(EventBusName);
        const rule = this.rules.find((r) => r.name === Rule && r.eventBusName === bus);
        if (!rule)
          throw new AwsServiceError(
            'ResourceNotFoundException',
            `Rule ${Rule} does not exist on EventBus ${bus}.`,
          );
        return { Targets: rule.targets.map((target) => ({ Id: target.id, Arn: target.arn })) };
      }
      default:
        throw new AwsServiceError(
          'UnknownOperationException',
          `EventBridge operation ${operation} is not supported by the local runtime (PutEvents, ListEventBuses, ListRules, DescribeRule, ListTargetsByRule are)`,
        );
    }
  }

  /** PutEvents as the API does it, callable in-process (the Step Functions putEvents integration). */
  async putEvents(
    entries: ReadonlyArray<Record<string, unknown>>,
    options: { allowAwsSources?: boolean } = {},
  ): Promise<{ FailedEntryCount: number; Entries: PutEventsResultEntry[] }> {
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new AwsServiceError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    }
    if (Buffer.byteLength(JSON.stringify(entries)) > MAX_REQUEST_BYTES) {
      throw new AwsServiceError(
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    }
    const results: PutEventsResultEntry[] = [];
    for (const entry of entries) results.push(await this.putEntry(entry, options.allowAwsSources ?? false));
    const FailedEntryCount = results.filter((result) => 'ErrorCode' in result).length;
    return { FailedEntryCount, Entries: results };
  }

  private async putEventsRequest(input: unknown, _context: AwsRequestContext): Promise<unknown> {
    const parsed = PutEventsInput.safeParse(input);
    if (!parsed.success) throw new AwsServiceError('ValidationException', z.prettifyError(parsed.error));
    return this.putEvents(parsed.data.Entries);
  }

  private busName(nameOrArn: unknown): string {
    if (typeof nameOrArn !== 'string' || nameOrArn === '') return 'default';
    const arnMatch = /^arn:aws:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
    return arnMatch?.[1] ?? nameOrArn;
  }

  private describe(rule: EventRule) {
    return {
      Name: rule.name,
      Arn: ruleArn(this.region, rule.eventBusName, rule.name),
      EventPattern: JSON.stringify(rule.pattern),
      State: 'ENABLED',
      EventBusName: rule.eventBusName,
      ...(rule.description && { Description: rule.description }),
    };
  }

  private async putEntry(
    entry: Record<string, unknown>,
    allowAwsSources: boolean,
  ): Promise<PutEventsResultEntry> {
    const invalid = (field: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
    });
    const { Source, DetailType, Detail, Resources, Time } = entry;
    if (typeof Source !== 'string' || Source === '') return invalid('Source');
    if (typeof DetailType !== 'string' || DetailType === '') return invalid('DetailType');
    if (typeof Detail !== 'string' || Detail === '') return invalid('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (!reserializable(detail)) {
      // Targets get the event as JSON again; a detail nested too deep for that could never be delivered, and
      // answering InternalFailure ("retry the entry") would have the producer retry it forever.
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is nested too deeply.' };
    }
    if (Source.startsWith('aws.') && !allowAwsSources) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    const bus = this.busName(entry.EventBusName);
    if (!this.buses.has(bus)) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    }
    const time =
      typeof Time === 'number'
        ? new Date(Time * 1000)
        : typeof Time === 'string'
          ? new Date(Time)
          : new Date();
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': DetailType,
      source: Source,
      account: LOCAL_ACCOUNT_ID,
      time: awsTime(Number.isNaN(time.getTime()) ? new Date() : time),
      region: this.region,
      resources: Array.isArray(Resources) ? Resources.filter((r): r is string => typeof r === 'string') : [],
      detail: detail as Record<string, unknown>,
    };
    try {
      await this.route(bus, event);
    } catch {
      return {
        ErrorCode: 'InternalFailure',
        ErrorMessage:
          'The event could not be delivered to a target or its dead-letter queue; retry the entry.',
      };
    }
    return { EventId: event.id };
  }

  /** Delivers to the targets of every matching rule; throws only if a synchronous target and its DLQ both failed. */
  private async route(bus: string, event: BusEvent): Promise<void> {
    const matching = this.rules.filter(
      (rule) =>
        rule.eventBusName === bus && eventMatches(rule.pattern, event as unknown as Record<string, unknown>),
    );
    for (const rule of matching) {
      for (const target of rule.targets) {
        const delivery = this.deliver(rule, target, event);
        if (target.synchronous) {
          await delivery;
        } else {
          const tracked = delivery.catch(() => undefined).finally(() => this.pending.delete(tracked));
          this.pending.add(tracked);
        }
      }
    }
  }

  private async deliver(rule: EventRule, target: EventTarget, event: BusEvent): Promise<void> {
    try {
      await withRetries(DELIVERY_ATTEMPTS, () => target.deliver(event));
    } catch (error) {
      this.onDeliveryError?.(error, rule.name, target.id);
      if (!target.deadLetter) throw error;
      await withRetries(
        DELIVERY_ATTEMPTS,
        () =>
          target.deadLetter?.(event, error, ruleArn(this.region, rule.eventBusName, rule.name)) ??
          Promise.resolve(),
      );
    }
  }

  /** Publishes an event on behalf of an AWS service (e.g. Step Functions status changes). */
  async putServiceEvent(
    source: string,
    detailType: string,
    detail: Record<string, unknown>,
    resources: string[],
    bus = 'default',
  ): Promise<void> {
    const result = await this.putEvents(
      [
        {
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
          Resources: resources,
          EventBusName: bus,
        },
      ],
      { allowAwsSources: true },
    );
    if (result.FailedEntryCount > 0)
      throw new Error(`could not publish ${detailType}: ${JSON.stringify(result.Entries)}`);
  }
}
