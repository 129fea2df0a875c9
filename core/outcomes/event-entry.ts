import { type DetailType, PAYSAGA_SOURCE } from '../../events/envelope';
import type { PutEventsRequestEntry } from '../aws/eventbridge';

/** A PutEvents entry for one of paysaga's own events; the ASL publishes these as they are. */
export function eventEntry(
  eventBusName: string,
  detailType: DetailType,
  detail: object,
  source: string = PAYSAGA_SOURCE,
): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: source,
    DetailType: detailType,
    Detail: JSON.stringify(detail),
  };
}
