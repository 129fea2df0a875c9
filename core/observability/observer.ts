import { type MetricsSink, NO_METRICS } from './metrics';

/**
 * What a core store reports when it meets something that needs a person: an
 * error-level log line and a counter (the alarms read the counter). functions/
 * wires it to Powertools Logger and Metrics; tests record it.
 */
export interface Observer {
  readonly metrics: MetricsSink;
  error(message: string, fields: Readonly<Record<string, unknown>>): void;
}

export const SILENT_OBSERVER: Observer = { metrics: NO_METRICS, error: () => undefined };
