import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { entriesOf, removeDir, tempDir } from '../helpers/temp-dirs';
import { cfnAppOf, synthesizeApp, withScratchApp } from './synth-helper';

/**
 * An offline synth writes a cdk.out (~60 MB: every stack's template and asset) and SST's out dir under the
 * OS temp dir; each test file's synth left both behind, and /tmp filled (55 GB, a CI run died of it).
 * Here TMPDIR is a private dir, so whatever the synth leaves is seen, and nothing others write counts.
 */

let privateTmp: string;
beforeAll(() => {
  privateTmp = tempDir('paysaga-synth-cleanup');
});
afterAll(() => removeDir(privateTmp));
beforeEach(() => {
  vi.stubEnv('TMPDIR', privateTmp);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('synthesizeApp', () => {
  it('writes its cdk.out and SST out under TMPDIR and dispose() removes both; the templates stay readable', async () => {
    // Prepare
    const stage = `cln${Date.now().toString(36)}`;
    const synthesized = await synthesizeApp(stage);
    const during = entriesOf(privateTmp);

    // Act
    synthesized.dispose();
    const cfn = cfnAppOf(synthesized);

    // Assess
    expect(during).toEqual([
      expect.stringMatching(/^paysaga-cdk-out-/),
      expect.stringMatching(/^paysaga-sst-/),
    ]);
    expect(entriesOf(privateTmp)).toEqual([]);
    expect(Object.keys(cfn.templates)).toContain('Saga');
  }, 180_000);
});

describe('withScratchApp', () => {
  it("removes a construct test's cdk.out after use, and after a throw", () => {
    // Act
    const template = withScratchApp((app) => {
      const stack = new Stack(app, 'ScratchQueue');
      new Queue(stack, 'Queue');
      return Template.fromStack(stack).toJSON() as { Resources: Record<string, unknown> };
    });
    const leftAfterUse = entriesOf(privateTmp);
    const thrown = (() => {
      try {
        return withScratchApp((app) => {
          Template.fromStack(new Stack(app, 'Thrown'));
          throw new Error('the test failed midway');
        });
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(Object.keys(template.Resources)).toHaveLength(1);
    expect(leftAfterUse).toEqual([]);
    expect(thrown).toBeInstanceOf(Error);
    expect(entriesOf(privateTmp)).toEqual([]);
  });
});
