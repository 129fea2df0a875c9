import { describe, expect, it } from 'vitest';
import { CHARGE_LOOKUP, chargeLookupOptions } from '../../core/gateway/charge-lookup';

const NOW = new Date('2026-12-04T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const { clockSkewMs, attemptMaxMs, searchCatchUpMs } = CHARGE_LOOKUP;

describe('Function: chargeLookupOptions', () => {
  it('searches only when no attempt is recorded', () => {
    expect(chargeLookupOptions({}, NOW)).toEqual({});
  });

  it('lists a window bounded by the latest attempt while the search may lag it', () => {
    // Act
    const options = chargeLookupOptions({ first: ago(30_000), latest: ago(10_000) }, NOW);
    // Assess
    expect(options).toEqual({
      createdSince: new Date(NOW.getTime() - 30_000 - clockSkewMs),
      createdUntil: new Date(NOW.getTime() - 10_000 + attemptMaxMs + clockSkewMs),
    });
  });

  it('anchors on the latest attempt: a redrive long after the first attempt lists only since the search caught up', () => {
    // Act
    const options = chargeLookupOptions({ first: ago(3 * 24 * 3600_000), latest: ago(5_000) }, NOW);
    // Assess
    expect(options).toEqual({
      createdSince: new Date(NOW.getTime() - searchCatchUpMs - clockSkewMs),
      createdUntil: new Date(NOW.getTime() - 5_000 + attemptMaxMs + clockSkewMs),
    });
  });

  it('searches only once the search has caught up with the latest attempt', () => {
    expect(chargeLookupOptions({ first: ago(10 * 60_000), latest: ago(searchCatchUpMs + 1) }, NOW)).toEqual(
      {},
    );
    expect(chargeLookupOptions({ first: ago(searchCatchUpMs + 1) }, NOW)).toEqual({});
  });
});
