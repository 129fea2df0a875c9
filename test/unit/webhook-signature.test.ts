import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from '../../core/webhooks/signature';

/** README "Verifying a webhook": the test vector merchants check their code against. */
const VECTOR = {
  secret: 'whsec_test_vector_0123456789abcdef',
  t: 1767225600,
  body: '{"id":"ntf_00000000000000000000000000000000","type":"payment.succeeded","created":1767225600,"data":{"paymentId":"pay_vector"}}',
  v1: '9357f0df63178467aac97ace0f3f35b973fa4852851ecfdf5ee6c4a0a8907d8d',
};

describe('Webhook signatures', () => {
  it('signs the README test vector with the documented signature', () => {
    // Act
    const header = signatureHeader([VECTOR.secret], VECTOR.t, VECTOR.body);

    // Assess
    expect(header).toBe(`t=${VECTOR.t},v1=${VECTOR.v1}`);
  });

  it('puts one v1 per active secret, each verifying with its own secret', () => {
    // Act
    const header = signatureHeader(['whsec_new', 'whsec_old'], VECTOR.t, VECTOR.body);

    // Assess
    expect(header.split(',').filter((part) => part.startsWith('v1='))).toHaveLength(2);
    expect(verifySignature(header, 'whsec_new', VECTOR.body, VECTOR.t, 300)).toBe(true);
    expect(verifySignature(header, 'whsec_old', VECTOR.body, VECTOR.t, 300)).toBe(true);
    expect(verifySignature(header, 'whsec_other', VECTOR.body, VECTOR.t, 300)).toBe(false);
  });

  it('refuses a changed body and a timestamp outside the tolerance', () => {
    // Prepare
    const header = signatureHeader([VECTOR.secret], VECTOR.t, VECTOR.body);

    // Act / Assess
    expect(verifySignature(header, VECTOR.secret, `${VECTOR.body} `, VECTOR.t, 300)).toBe(false);
    expect(verifySignature(header, VECTOR.secret, VECTOR.body, VECTOR.t + 301, 300)).toBe(false);
    expect(verifySignature(header, VECTOR.secret, VECTOR.body, VECTOR.t + 299, 300)).toBe(true);
    expect(verifySignature('v1=abc', VECTOR.secret, VECTOR.body, VECTOR.t, 300)).toBe(false);
  });
});
