import { App as CdkApp } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { App, getStack } from 'sst/constructs';
import { initProject, useProject } from 'sst/project.js';
import {
  Api,
  addStacks,
  Console,
  Data,
  History,
  Imports,
  Intake,
  Ops,
  Refund,
  Saga,
  TopUp,
  Webhooks,
} from '../../stacks';
import { finishWithoutBundling } from '../../stacks/finish';
import { removeDir, tempDir } from '../helpers/temp-dirs';
import { CfnApp, type CfnTemplate } from './cfn';

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'eu-west-1';

export interface SynthesizedApp {
  readonly app: App;
  readonly stage: string;
  readonly stacks: {
    readonly Data: Template;
    readonly Intake: Template;
    readonly Saga: Template;
    readonly TopUp: Template;
    readonly Refund: Template;
    readonly Webhooks: Template;
    readonly History: Template;
    readonly Imports: Template;
    readonly Api: Template;
    readonly Ops: Template;
    readonly Console: Template;
  };
  readonly stackObjects: {
    readonly Data: ReturnType<typeof getStack>;
    readonly Intake: ReturnType<typeof getStack>;
    readonly Saga: ReturnType<typeof getStack>;
    readonly TopUp: ReturnType<typeof getStack>;
    readonly Refund: ReturnType<typeof getStack>;
    readonly Webhooks: ReturnType<typeof getStack>;
    readonly History: ReturnType<typeof getStack>;
    readonly Imports: ReturnType<typeof getStack>;
    readonly Api: ReturnType<typeof getStack>;
    readonly Ops: ReturnType<typeof getStack>;
    readonly Console: ReturnType<typeof getStack>;
  };
  /** The synth's temp dirs (cdk.out, ~60 MB, and SST's out): removes them; call it in afterAll. */
  dispose(): void;
}

/**
 * Synthesizes the whole app for a stage, offline, the way tests should: SST in
 * test mode (NODE_ENV=test: no bootstrap lookup), with SST's generated-types folder
 * moved to a private temp dir so test files running in parallel do not race.
 * finish() runs as on deploy except for bundling, so the templates are the deployed ones but for the code.
 */
export async function synthesizeApp(stage: string): Promise<SynthesizedApp> {
  process.env.NODE_ENV = 'test';
  await initProject({ stage, region: TEST_REGION });
  const project = useProject();
  // Both dirs are the synth's own, removed by dispose(): without an outdir CDK made a /tmp/cdk.out* per synth.
  const dirs = [tempDir('paysaga-sst'), tempDir('paysaga-cdk-out')] as const;
  const dispose = () => {
    for (const dir of dirs) removeDir(dir);
  };
  try {
    return await synthesizeInto(stage, project, dirs, dispose);
  } catch (error) {
    dispose();
    throw error;
  }
}

async function synthesizeInto(
  stage: string,
  project: ReturnType<typeof useProject>,
  [sstOut, outdir]: readonly [string, string],
  dispose: () => void,
): Promise<SynthesizedApp> {
  (project.paths as { out: string }).out = sstOut;
  const app = new App(
    {
      mode: 'deploy',
      stage,
      name: project.config.name,
      region: TEST_REGION,
      account: TEST_ACCOUNT,
    },
    { outdir },
  );
  addStacks(app);
  await finishWithoutBundling(app);
  const stackObjects = {
    Data: getStack(Data),
    Intake: getStack(Intake),
    Saga: getStack(Saga),
    TopUp: getStack(TopUp),
    Refund: getStack(Refund),
    Webhooks: getStack(Webhooks),
    History: getStack(History),
    Imports: getStack(Imports),
    Api: getStack(Api),
    Ops: getStack(Ops),
    Console: getStack(Console),
  };
  const stacks = {
    Data: Template.fromStack(stackObjects.Data),
    Intake: Template.fromStack(stackObjects.Intake),
    Saga: Template.fromStack(stackObjects.Saga),
    TopUp: Template.fromStack(stackObjects.TopUp),
    Refund: Template.fromStack(stackObjects.Refund),
    Webhooks: Template.fromStack(stackObjects.Webhooks),
    History: Template.fromStack(stackObjects.History),
    Imports: Template.fromStack(stackObjects.Imports),
    Api: Template.fromStack(stackObjects.Api),
    Ops: Template.fromStack(stackObjects.Ops),
    Console: Template.fromStack(stackObjects.Console),
  };
  return { app, stage, stacks, stackObjects, dispose };
}

/** The app synthesized for a stage as resolvable templates (cfnAppOf), its temp dirs removed before it returns. */
export async function synthesizeCfnApp(stage: string): Promise<CfnApp> {
  const synthesized = await synthesizeApp(stage);
  try {
    return cfnAppOf(synthesized);
  } finally {
    synthesized.dispose();
  }
}

/**
 * Runs `use` on a bare CDK app (a construct's own test) whose cdk.out is a temp dir removed afterwards:
 * `new App()` or `new Stack()` without one leaves a /tmp/cdk.out* or /tmp/cdk-test-app-* per call.
 */
export function withScratchApp<T>(use: (app: CdkApp) => T): T {
  const outdir = tempDir('paysaga-cdk-scratch');
  try {
    return use(new CdkApp({ outdir }));
  } finally {
    removeDir(outdir);
  }
}

/** The synthesized app as resolvable templates (see cfn.ts), keyed Data/Intake/Saga/TopUp/Refund/History/Imports/Api/Ops/Console. */
export function cfnAppOf(synthesized: SynthesizedApp): CfnApp {
  const templates = Object.fromEntries(
    Object.entries(synthesized.stacks).map(([key, template]) => [key, template.toJSON() as CfnTemplate]),
  );
  return new CfnApp(templates, { account: TEST_ACCOUNT, region: TEST_REGION });
}
