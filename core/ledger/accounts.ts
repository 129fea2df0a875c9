/**
 * Double-entry accounts of the ledger. Every journal entry's lines sum to zero
 * (one currency per entry); a positive amount increases the account.
 *
 *   wallet:<walletId>    the payer's spendable balance       (= wallet item `available`)
 *   holds:<walletId>     the payer's money on pending holds   (= wallet item `held`)
 *   merchant:<merchantId> what the merchant is owed after settlement
 *   funding              where deposits come from (goes negative as money is seeded)
 *   adjustments          the other side of manual credits and debits (Ledger.adjust)
 *   gateway              money that moved through the payment gateway: a payment's card part
 *                        (gateway -g, merchant +g at Settle) and a refund's card part (merchant -g, gateway +g)
 *
 *   deposit  funding -a            wallet +a
 *   reserve  wallet -a             holds +a
 *   settle   holds -a              merchant +c, wallet +(a-c) when a partial capture c < a
 *   release  holds -a              wallet +a           (void of a pending hold)
 *   expire   holds -a              wallet +a           (void by the expiry sweep)
 *   refund   merchant -r           wallet +r           (reversal of a posted settlement, r <= c)
 *   adjust   adjustments -a        wallet +a           (a < 0 for a debit, never below 0 available)
 */

export const FUNDING_ACCOUNT = 'funding';
export const ADJUSTMENTS_ACCOUNT = 'adjustments';
export const GATEWAY_ACCOUNT = 'gateway';

export const walletAccount = (walletId: string): string => `wallet:${walletId}`;
export const holdsAccount = (walletId: string): string => `holds:${walletId}`;
export const merchantAccount = (merchantId: string): string => `merchant:${merchantId}`;
