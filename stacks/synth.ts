/**
 * npm run synth -- [--stage dev|prod] [--region R] [--out DIR] [--no-bundle] [--json]
 *
 * Synthesizes the CloudFormation templates of every stack offline (no AWS
 * account, no credentials), bundling each function the way `sst deploy` does,
 * with cdk-nag applied: exits 1 on any unsuppressed finding.
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { synthesizeOffline } from './offline-synth';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: 'dev' },
      region: { type: 'string', default: process.env.AWS_REGION ?? 'eu-west-1' },
      out: { type: 'string' },
      'no-bundle': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const bundle = !values['no-bundle'];
  const result = await synthesizeOffline({
    stage: values.stage,
    region: values.region,
    bundle,
    ...(values.out && { outdir: resolve(values.out) }),
  });
  // From process start: loading CDK and SST is most of a synth.
  const seconds = Number((performance.now() / 1000).toFixed(1));
  const failed = result.stacks.some((stack) => stack.nagFindings.length > 0);
  if (values.json) {
    console.log(
      JSON.stringify(
        { stage: values.stage, outdir: result.outdir, seconds, bundled: bundle, stacks: result.stacks },
        null,
        2,
      ),
    );
  } else {
    console.log(
      `Synthesized stage ${values.stage} in ${seconds}s${bundle ? '' : ' (functions not bundled)'} -> ${result.outdir}`,
    );
    console.log(['stack'.padEnd(26), 'resources', 'cdk-nag'.padEnd(11), 'template'].join('  '));
    for (const stack of result.stacks) {
      const nag = stack.nagFindings.length === 0 ? 'clean' : `${stack.nagFindings.length} findings`;
      console.log(
        [
          stack.stack.padEnd(26),
          String(stack.resources).padStart(9),
          nag.padEnd(11),
          relative(process.cwd(), stack.templateFile),
        ].join('  '),
      );
      for (const finding of stack.nagFindings) console.log(`    ${finding}`);
    }
  }
  if (failed) {
    console.error(
      'cdk-nag reported unsuppressed findings: fix them, or suppress next to the resource with a reason.',
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(`synth failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error(
    'Check that every functions/ entry file exists (names.ts FUNCTIONS), or run with --no-bundle.',
  );
  process.exitCode = 1;
});
