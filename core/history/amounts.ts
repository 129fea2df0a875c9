import { type Currency, isCurrency, toMajorUnits } from '../money';
import type { AmountView } from './timeline';

/** Minor units with their major-unit rendering; an unknown currency keeps the minor units as the major text. */
export function amountView(minor: number, currency: string): AmountView {
  return {
    minor,
    currency,
    major: isCurrency(currency) ? toMajorUnits(minor, currency as Currency) : String(minor),
  };
}

/** "EUR 12.50" for people. */
export function formatAmount(amount: AmountView): string {
  return `${amount.currency} ${amount.major}`;
}
