import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API } from '../../core/config/names';
import { openApiDocument, renderOpenApi } from '../../core/frontdoor/openapi';
import { TokenBuckets } from '../../local/frontdoor/token-bucket';

describe('OpenAPI document', () => {
  it('is committed as generated (run `npm run schemas` after changing the contract)', () => {
    expect(readFileSync('api/openapi.json', 'utf8')).toBe(renderOpenApi());
  });

  it('has every route of API.routes with its method and security scope', () => {
    // Act
    const paths = openApiDocument().paths as Record<string, Record<string, { security: unknown }>>;

    // Assess
    for (const route of Object.values(API.routes)) {
      const operation = paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(JSON.stringify(operation?.security)).toContain(API.resourceServer);
    }
  });
});

describe('TokenBuckets', () => {
  it('lets a burst through, throttles, and refills at the rate', () => {
    // Prepare
    let clock = 0;
    const buckets = new TokenBuckets(() => clock);
    const limits = { rateLimit: 2, burstLimit: 3 };

    // Act
    const burst = [1, 2, 3, 4].map(() => buckets.take('a', limits));
    const otherClient = buckets.take('b', limits);
    clock += 500; // one token at 2/s
    const afterRefill = [buckets.take('a', limits), buckets.take('a', limits)];

    // Assess
    expect(burst).toEqual([0, 0, 0, 1]);
    expect(otherClient).toBe(0);
    expect(afterRefill).toEqual([0, 1]);
  });
});
