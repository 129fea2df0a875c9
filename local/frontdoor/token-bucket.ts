/**
 * API Gateway's throttle, locally: a token bucket per client that refills at
 * `rateLimit` tokens a second up to `burstLimit`. A request takes one token;
 * with none left it is answered 429 and told when the next token comes.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** 0 when the request may go on, else the seconds until a token is available. */
  take(clientId: string, limits: { readonly rateLimit: number; readonly burstLimit: number }): number {
    const now = this.now();
    const bucket = this.buckets.get(clientId) ?? { tokens: limits.burstLimit, at: now };
    bucket.tokens = Math.min(
      limits.burstLimit,
      bucket.tokens + ((now - bucket.at) / 1000) * limits.rateLimit,
    );
    bucket.at = now;
    this.buckets.set(clientId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limits.rateLimit));
  }
}
