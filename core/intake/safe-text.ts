/**
 * Text intake writes back out — a rejection's reason, paymentId and eventId go
 * into SQS message attributes, a PaymentRejected event and log lines — is
 * built from hostile input. SQS refuses a message whose attribute holds a
 * character outside the XML set, and PaymentRejected caps `reason`, so such
 * text is escaped and bounded before it leaves intake.
 */

/** What SQS accepts: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF (NUL and lone surrogates are not). */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Writes each character SQS would refuse as a visible \uXXXX escape. */
export function sqsSafeText(text: string): string {
  return text.replace(
    OUTSIDE_SQS_CHARACTERS,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** At most `max` UTF-16 units, cut on a code point boundary, with an ellipsis when cut. */
export function boundedText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
