/**
 * The ledger's operations one by one, for a caller that uses few of them (the
 * console's act function: payctl's resolve, refund resolve and wallet adjust):
 * each is a function over the store and clock of opContext(options), so a
 * bundle holds only the operations it imports and the named writes they make.
 * The Ledger class (ledger.ts) is the facade over all of them, for callers
 * that use many (the saga steps, the wallet API, the sweeper); it calls these
 * same functions with the same arguments.
 */

export { refundCard, settleCard } from './ops/card';
export { type OpContext, opContext } from './ops/context';
export { adjust, deposit } from './ops/credit';
export { openWallet } from './ops/open';
export { refund, settle } from './ops/post';
export { postRefundPart, type RefundPartInput, type RefundPartResult } from './ops/refund-part';
export { reserve } from './ops/reserve';
export { type ExpireOptions, release } from './ops/void';
