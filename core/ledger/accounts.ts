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
 * A payment is wallet first (README "Funds flow"): the hold is the wallet part w,
 * the gateway charges the card part g = amount - w, Settle credits the merchant
 * with both. Top-ups are deposits: the gateway charged the top-up's amount.
 *
 *   deposit  funding -a            wallet +a           (a top-up's credit, or seeded money)
 *   reserve  wallet -a             holds +a            (a = w, the wallet part; none when w = 0)
 *   settle   holds -a              merchant +c, wallet +(a-c) when a partial capture c < a
 *   settle_card  gateway -g        merchant +g         (a payment's card part; no wallet account moves)
 *   refund_card  merchant -g       gateway +g          (its reversal when a settled payment is compensated)
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
