import type { PutEventsRequest, PutEventsResponse } from '@aws-sdk/client-eventbridge';
import type { JsonService } from './json-client';
import { JsonServiceClient, jsonCommand, type ServiceClientConfig } from './service-client';

/**
 * Amazon EventBridge over the lean transport (JSON 1.1), shaped as
 * @aws-sdk/client-eventbridge: `eventBridge.send(new PutEventsCommand({ Entries }))`.
 * Entries' `Time` goes as epoch seconds, as the SDK sends it.
 */

export type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
export type PutEventsCommandInput = PutEventsRequest;
export type PutEventsCommandOutput = PutEventsResponse;

const EVENTS: JsonService = {
  signingName: 'events',
  host: (region) => `events.${region}.amazonaws.com`,
  targetPrefix: 'AWSEvents',
  jsonVersion: '1.1',
  envKey: 'EVENTBRIDGE',
};

export class PutEventsCommand extends jsonCommand<PutEventsRequest, PutEventsResponse>('PutEvents') {
  override toWire(): unknown {
    return {
      ...this.input,
      Entries: this.input.Entries?.map((entry) =>
        entry.Time instanceof Date ? { ...entry, Time: entry.Time.getTime() / 1000 } : entry,
      ),
    };
  }
}

export class EventBridgeClient extends JsonServiceClient {
  constructor(config: ServiceClientConfig = {}) {
    super(EVENTS, config, {});
  }
}
