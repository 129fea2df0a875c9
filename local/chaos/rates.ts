import * as z from 'zod';
import { DEFAULT_RATES } from './schedule';

const Probability = z.number().min(0).max(1);

/** The hooks' rates as the harness hands them to the runtime child (JSON on its command line). */
export const ChaosRatesSchema = z.strictObject({
  crashBefore: Probability.default(DEFAULT_RATES.crashBefore),
  crashAfter: Probability.default(DEFAULT_RATES.crashAfter),
  crashBeforeRecord: Probability.default(DEFAULT_RATES.crashBeforeRecord),
  crashNotRetried: Probability.default(DEFAULT_RATES.crashNotRetried),
  intakeRedelivery: Probability.default(DEFAULT_RATES.intakeRedelivery),
  duplicates: Probability.default(DEFAULT_RATES.duplicates),
  malformed: Probability.default(DEFAULT_RATES.malformed),
});
