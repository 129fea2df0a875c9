import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { busPolicyStatements } from '../../stacks/bus-policy';
import { withScratchApp } from './synth-helper';

/**
 * RefundRequested from producers (issue 16): a producer the stage lets ask for refunds may put it under its
 * own sources; every other producer stays denied, as does everyone but the front door and operations.
 */

const busArn = 'arn:aws:events:eu-west-1:111111111111:event-bus/paysaga-dev-bus';
const shop = { principal: 'arn:aws:iam::222222222222:role/shop', sources: ['shop.checkout'], refunds: true };
const partner = { principal: 'arn:aws:iam::333333333333:role/partner', sources: ['partner.orders'] };

const statementsJson = () => withScratchApp((app) => statementsIn(new Stack(app, 'BusPolicy')));
const statementsIn = (stack: Stack) => {
  return busPolicyStatements({
    busArn,
    producers: [shop, partner],
    paymentRequesters: ['arn:aws:iam::111111111111:role/api-submit'],
    refundRequesters: ['arn:aws:iam::111111111111:role/api-refunds'],
    paysagaPublishers: ['arn:aws:iam::111111111111:role/intake'],
  }).map((statement) => stack.resolve(statement.toStatementJson()) as Record<string, unknown>);
};

describe('Bus policy: RefundRequested from producers', () => {
  it('allows RefundRequested only to producers with refunds, under their own sources', () => {
    // Act
    const statements = statementsJson();
    // Assess
    const allows = statements.filter(
      (s) => s.Effect === 'Allow' && JSON.stringify(s.Condition).includes('"RefundRequested"'),
    );
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { AWS: shop.principal },
        Condition: {
          StringEquals: { 'events:source': ['shop.checkout'], 'events:detail-type': 'RefundRequested' },
        },
      }),
    ]);
  });

  it('keeps denying RefundRequested to a producer without refunds', () => {
    // Act
    const deny = statementsJson().find(
      (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"RefundRequested"'),
    );
    // Assess
    const condition = deny?.Condition as { ArnNotEquals: { 'aws:PrincipalArn': string[] } } | undefined;
    const allowed = condition?.ArnNotEquals['aws:PrincipalArn'];
    expect(allowed).toEqual(['arn:aws:iam::111111111111:role/api-refunds', shop.principal]);
    expect(allowed).not.toContain(partner.principal);
  });
});
