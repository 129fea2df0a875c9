import '../config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../config/deferred-schema';
import type { StepRecord } from './ports';

/**
 * How each payment-saga step's attempts reach the payment's timeline (issue 18: writes per saga).
 *
 * A failed attempt is written at once, by the attempt itself (its error is in no saga state). A
 * succeeded attempt of a forward step (`carry`) is not written by its step: its entry rides in the
 * step's result (`timeline`, kept in the execution state by the step's ResultPath) and is written by the
 * next timeline write of the saga, whichever comes first: a later failed attempt, a compensation, or
 * RecordOutcome (`self`), which writes every carried entry, its own attempt and the Outcome in one
 * write. The state survives a crash (Step Functions keeps it; a redrive resumes with it) and every write
 * is idempotent per attempt id (`if_not_exists`), so an entry written twice is still one entry. Steps not
 * listed (the compensations) write their entry themselves, as every step did before.
 */
export type TimelineRule = 'carry' | 'self' | 'write';

/** By step name (the handler's `sagaStep({ name })`). */
const TIMELINE_RULES: Readonly<Record<string, TimelineRule>> = {
  reserve: 'carry',
  charge: 'carry',
  settle: 'carry',
  notify: 'carry',
  'record-outcome': 'self',
};

export const timelineRuleOf = (step: string): TimelineRule => TIMELINE_RULES[step] ?? 'write';

/** One attempt's timeline entry with the attempt id that names it (STEP#<at>#<step>#<attemptId>). */
export const CarriedEntry = deferred(() =>
  z.object({
    attemptId: z.string().check(z.minLength(1)),
    step: z.string().check(z.minLength(1)),
    outcome: z.enum(['succeeded', 'failed', 'replayed']),
    at: z.string().check(z.minLength(1)),
    detail: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
  }),
);
export type CarriedEntry = z.infer<typeof CarriedEntry>;

/** What a `carry` step's result holds: its own succeeded attempt (an array: room for more, never needed). */
export const CarriedTimeline = deferred(() => z.array(CarriedEntry).check(z.maxLength(10)));

/** Where carried entries sit in a step's input: the forward steps' results, at the top or under `saga`. */
const CARRIED_FIELDS = ['reserve', 'charge', 'settle', 'notify'] as const;

type WithTimeline = { readonly timeline?: readonly CarriedEntry[] } | undefined;
type StateLike = Partial<Record<(typeof CARRIED_FIELDS)[number], WithTimeline>>;

/** Every entry the (validated) input of a step carries, once per attempt id. */
export function carriedEntries(input: StateLike & { readonly saga?: StateLike }): CarriedEntry[] {
  const found = new Map<string, CarriedEntry>();
  for (const state of [input, input.saga ?? {}]) {
    for (const field of CARRIED_FIELDS) {
      for (const entry of state[field]?.timeline ?? []) found.set(`${entry.step}#${entry.attemptId}`, entry);
    }
  }
  return [...found.values()];
}

/** The timeline entry of one attempt, as StepRecord plus its attempt id. */
export function attemptEntry(attempt: {
  readonly stepName: string;
  readonly startedAt: Date;
  readonly attemptId: string;
  readonly error?: unknown;
  readonly endedAt?: Date;
}): CarriedEntry {
  const { error } = attempt;
  const endedAt = attempt.endedAt ?? new Date();
  const detail: StepRecord['detail'] = {
    durationMs: endedAt.getTime() - attempt.startedAt.getTime(),
    ...(error instanceof Error && { error: error.name, message: error.message.slice(0, 500) }),
  };
  return {
    attemptId: attempt.attemptId,
    step: attempt.stepName,
    outcome: error ? 'failed' : 'succeeded',
    at: attempt.startedAt.toISOString(),
    detail,
  };
}
