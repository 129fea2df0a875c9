import { describe, expect, it } from 'vitest';
import { decideTopUpIntake } from '../../core/topups/intake';
import { parseTopUpSubmission } from '../../core/topups/request';
import { DETAIL_TYPES } from '../../events/envelope';

const NOW = new Date('2026-12-04T12:00:00.000Z');
/** EUR 0.10: valid money, below the gateway's minimum charge (EUR 0.50). */
const TOO_SMALL = { value: 10, currency: 'EUR', exponent: 2 };
const FINE = { value: 5000, currency: 'EUR', exponent: 2 };

const busMessage = (topUpId: string, amount: object) =>
  JSON.stringify({
    id: `evt-${topUpId}`,
    'detail-type': DETAIL_TYPES.topUpRequested,
    source: 'wallet.app',
    detail: {
      schemaVersion: '1',
      topUpId,
      walletId: 'wal_amounts',
      amount,
      paymentMethod: 'pm_card_visa',
      requestedAt: NOW.toISOString(),
    },
  });

const submission = (topUpId: string, amount: object) =>
  parseTopUpSubmission({
    idempotencyKey: topUpId,
    walletId: 'wal_amounts',
    body: JSON.stringify({ amount, paymentMethod: 'pm_card_visa' }),
    now: NOW,
  });

describe('Top-up intake: amounts the gateway cannot take', () => {
  it('TopUpRequested on the bus: refused (invalid_event, the reason says why), starting nothing', () => {
    // Act
    const refused = decideTopUpIntake(busMessage('top_amount_small', TOO_SMALL));
    const started = decideTopUpIntake(busMessage('top_amount_fine', FINE));
    // Assess
    expect(refused).toMatchObject({ kind: 'reject', reasonCode: 'invalid_event' });
    expect(refused.kind === 'reject' && refused.reason).toMatch(/amount: .*minimum charge/);
    expect(started.kind).toBe('start');
  });

  it('POST top-ups: 400 with the field path amount.value', () => {
    // Act
    const refused = submission('top_amount_small_http', TOO_SMALL);
    const accepted = submission('top_amount_fine_http', FINE);
    // Assess
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.response.statusCode).toBe(400);
    expect(!refused.ok && refused.response.body).toMatch(/amount\.value[\s\S]*minimum charge/);
    expect(accepted.ok).toBe(true);
  });
});
