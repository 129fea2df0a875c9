/**
 * npm run synth -- [--stage dev|prod] [--out DIR] [--no-bundle] [--json]
 *
 * Synthesizes the CloudFormation templates of every stack offline (no AWS
 * account, no credentials), bundling each function the way `sst deploy` does,
 * and applies cdk-nag: exits 1 on any unsuppressed finding.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'sst/constructs';
import { initProject, useProject } from 'sst/project.js';
import { finishWithoutBundling } from './finish';
import { addStacks } from './index';

/** Placeholder account for an offline synth; `sst deploy` uses the caller's real account. */
const OFFLINE_ACCOUNT = '123456789012';

interface StackReport {
  readonly stack: string;
  readonly template: string;
  readonly resources: number;
  readonly nagFindings: string[];
}

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
  // SST's test mode skips the CDK bootstrap lookup, the only AWS call of a synth.
  process.env.NODE_ENV = 'test';
  await initProject({ stage: values.stage, region: values.region });
  const project = useProject();
  const outdir = resolve(values.out ?? join(project.paths.root, 'cdk.out', values.stage));
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const app = new App(
    {
      mode: 'deploy',
      stage: values.stage,
      name: project.config.name,
      region: values.region,
      account: process.env.CDK_DEFAULT_ACCOUNT ?? OFFLINE_ACCOUNT,
    },
    { outdir },
  );
  addStacks(app);
  // finish() bundles every function with esbuild, exactly as on deploy; without it the code is a placeholder.
  if (values['no-bundle']) await finishWithoutBundling(app);
  else await app.finish();
  const assembly = app.synth();
  const reports: StackReport[] = assembly.stacks.map((artifact) => ({
    stack: artifact.stackName,
    template: relative(process.cwd(), join(outdir, artifact.templateFile)),
    resources: Object.keys((artifact.template as { Resources?: object }).Resources ?? {}).length,
    nagFindings: artifact.messages
      .filter((message) => message.level === 'error' || message.level === 'warning')
      .map((message) => `${message.id}: ${String(message.entry.data).split('\n')[0]}`),
  }));
  // From process start: includes loading CDK and SST, which is most of a synth.
  const seconds = (performance.now() / 1000).toFixed(1);
  const failed = reports.some((report) => report.nagFindings.length > 0);
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          stage: values.stage,
          outdir,
          seconds: Number(seconds),
          bundled: !values['no-bundle'],
          stacks: reports,
        },
        null,
        2,
      ),
    );
  } else {
    console.log(
      `Synthesized stage ${values.stage} in ${seconds}s${values['no-bundle'] ? ' (functions not bundled)' : ''} -> ${outdir}`,
    );
    console.log(['stack'.padEnd(26), 'resources', 'cdk-nag', 'template'].join('  '));
    for (const report of reports) {
      console.log(
        [
          report.stack.padEnd(26),
          String(report.resources).padStart(9),
          (report.nagFindings.length === 0 ? 'clean' : `${report.nagFindings.length} findings`).padEnd(7),
          report.template,
        ].join('  '),
      );
      for (const finding of report.nagFindings) console.log(`    ${finding}`);
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
    'Nothing was deployed. Check that the functions/ entry files exist, or run with --no-bundle.',
  );
  process.exitCode = 1;
});
