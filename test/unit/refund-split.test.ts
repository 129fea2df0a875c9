import { describe, expect, it } from 'vitest';
import { NOTHING_COMMITTED, paymentSplit, refundable, splitRefund } from '../../core/refunds/split';

describe('Function: paymentSplit', () => {
  it('reads the wallet-first split of a record that has it', () => {
    // Act
    const split = paymentSplit({ amount: 5000, walletAmount: 3000, gatewayAmount: 2000, chargeId: 'pi_1' });
    // Assess
    expect(split).toEqual({ captured: 5000, walletAmount: 3000, gatewayAmount: 2000, legacy: false });
  });

  it('defaults a record from before the split to the old model: held and charged in full', () => {
    // Act
    const charged = paymentSplit({ amount: 1250, chargeId: 'pi_1' });
    const notCharged = paymentSplit({ amount: 1250 });
    // Assess
    expect(charged).toEqual({ captured: 1250, walletAmount: 1250, gatewayAmount: 1250, legacy: true });
    expect(notCharged).toEqual({ captured: 1250, walletAmount: 1250, gatewayAmount: 0, legacy: true });
  });
});

describe('Function: splitRefund', () => {
  const split = paymentSplit({ amount: 5000, walletAmount: 1000, gatewayAmount: 4000 });

  it('takes the card part first, then the wallet', () => {
    // Act / Assess
    expect(splitRefund(3000, split, NOTHING_COMMITTED)).toEqual({ gatewayAmount: 3000, walletAmount: 0 });
    expect(splitRefund(4500, split, NOTHING_COMMITTED)).toEqual({ gatewayAmount: 4000, walletAmount: 500 });
    expect(splitRefund(1500, split, { total: 3000, wallet: 0, gateway: 3000 })).toEqual({
      gatewayAmount: 1000,
      walletAmount: 500,
    });
  });

  it('refuses more than is still refundable, zero and fractions', () => {
    // Prepare
    const committed = { total: 4500, wallet: 500, gateway: 4000 };
    // Act / Assess
    expect(refundable(split, committed)).toEqual({ total: 500, wallet: 500, gateway: 0 });
    expect(splitRefund(501, split, committed)).toBeUndefined();
    expect(splitRefund(0, split, committed)).toBeUndefined();
    expect(splitRefund(1.5, split, committed)).toBeUndefined();
  });

  it('bounds a legacy record by what was captured, though each part defaults to the whole amount', () => {
    // Prepare
    const legacy = paymentSplit({ amount: 1000, chargeId: 'pi_1' });
    // Act / Assess
    expect(splitRefund(1000, legacy, NOTHING_COMMITTED)).toEqual({ gatewayAmount: 1000, walletAmount: 0 });
    expect(splitRefund(1, legacy, { total: 1000, wallet: 0, gateway: 1000 })).toBeUndefined();
  });
});
