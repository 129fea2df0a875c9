import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyNagChecks } from '../../stacks/nag';
import { type SynthesizedApp, synthesizeApp, withScratchApp } from './synth-helper';

const NAG_RULE = /^(AwsSolutions|PCI\.DSS\.321)-[A-Za-z0-9]+$/;

interface Suppression {
  readonly id: string;
  readonly reason: string;
}

/** Every cdk-nag suppression recorded in a template: the stack's own and each resource's. */
function suppressionsOf(template: Record<string, unknown>): Suppression[] {
  const metadataOf = (holder: unknown) =>
    ((holder as { Metadata?: { cdk_nag?: { rules_to_suppress?: Suppression[] } } }).Metadata?.cdk_nag
      ?.rules_to_suppress ?? []) as Suppression[];
  const resources = Object.values((template.Resources ?? {}) as Record<string, unknown>);
  return [...metadataOf(template), ...resources.flatMap(metadataOf)];
}

describe.each(['prod', 'dev'])('cdk-nag (AwsSolutions + PCI DSS 3.2.1) on stage %s', (stage) => {
  let synthesized: SynthesizedApp;

  beforeAll(async () => {
    synthesized = await synthesizeApp(stage);
  });
  // Annotations.fromStack synthesizes again into the app's cdk.out: it is removed only after the file's tests.
  afterAll(() => synthesized?.dispose());

  it('reports no unsuppressed error or warning in any stack', () => {
    // Act
    const findings = Object.entries(synthesized.stackObjects).flatMap(([name, stack]) => {
      const annotations = Annotations.fromStack(stack);
      return [
        ...annotations.findError('*', Match.stringLikeRegexp('.*')),
        ...annotations.findWarning('*', Match.stringLikeRegexp('.*')),
      ].map((finding) => `${name} ${finding.id}: ${String(finding.entry.data).slice(0, 200)}`);
    });
    // Assess
    expect(findings).toEqual([]);
  });

  it('names a rule and gives a one-line reason for every suppression', () => {
    // Act
    const suppressions = Object.values(synthesized.stacks).flatMap((template) =>
      suppressionsOf(template.toJSON() as Record<string, unknown>),
    );
    // Assess
    expect(suppressions.length).toBeGreaterThan(0);
    for (const { id, reason } of suppressions) {
      expect(id).toMatch(NAG_RULE);
      expect(reason).not.toMatch(/\n/);
      expect(reason.length).toBeGreaterThanOrEqual(40);
    }
  });
});

describe('applyNagChecks', () => {
  it('fails a stack that breaks the rules (a queue without DLQ or TLS, a secret on the AWS-managed key)', () => {
    // Act
    const errors = withScratchApp((app) => {
      const stack = new Stack(app, `NagControl${Date.now()}`);
      new Queue(stack, 'PlainQueue');
      new Secret(stack, 'PlainSecret');
      applyNagChecks(app);
      return Annotations.fromStack(stack)
        .findError('*', Match.stringLikeRegexp('.*'))
        .map((finding) => String(finding.entry.data).split(':')[0]);
    });
    // Assess
    expect(errors).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    expect(errors).toContain('PCI.DSS.321-SecretsManagerUsingKMSKey');
  });
});
