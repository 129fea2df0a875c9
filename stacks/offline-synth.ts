import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { App } from 'sst/constructs';
import { initProject, useProject } from 'sst/project.js';
import { finishWithoutBundling } from './finish';
import { addStacks } from './index';

/** Placeholder account for an offline synth; `sst deploy` uses the caller's real account. */
export const OFFLINE_ACCOUNT = '123456789012';

export interface OfflineSynthOptions {
  readonly stage: string;
  readonly region: string;
  /** Default: cdk.out/<stage> in the project root (git-ignored). */
  readonly outdir?: string;
  /** Bundle every function with esbuild as `sst deploy` does (default), or leave placeholder code. */
  readonly bundle?: boolean;
}

export interface StackReport {
  readonly stack: string;
  readonly templateFile: string;
  readonly resources: number;
  /** Unsuppressed cdk-nag errors and warnings, one line each. */
  readonly nagFindings: string[];
}

export interface OfflineSynthResult {
  readonly outdir: string;
  readonly assembly: CloudAssembly;
  readonly stacks: StackReport[];
}

/**
 * Synthesizes every stack without an AWS account: SST in test mode skips the
 * CDK bootstrap lookup, its only AWS call. The templates land in `outdir`.
 */
export async function synthesizeOffline(options: OfflineSynthOptions): Promise<OfflineSynthResult> {
  process.env.NODE_ENV = 'test';
  await initProject({ stage: options.stage, region: options.region });
  const project = useProject();
  const outdir = options.outdir ?? join(project.paths.root, 'cdk.out', options.stage);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const app = new App(
    {
      mode: 'deploy',
      stage: options.stage,
      name: project.config.name,
      region: options.region,
      account: process.env.CDK_DEFAULT_ACCOUNT ?? OFFLINE_ACCOUNT,
    },
    { outdir },
  );
  addStacks(app);
  if (options.bundle === false) await finishWithoutBundling(app);
  else await app.finish();
  const assembly = app.synth();
  const stacks = assembly.stacks.map((artifact) => ({
    stack: artifact.stackName,
    templateFile: join(outdir, artifact.templateFile),
    resources: Object.keys((artifact.template as { Resources?: object }).Resources ?? {}).length,
    nagFindings: artifact.messages
      .filter((message) => message.level === 'error' || message.level === 'warning')
      .map((message) => `${message.id}: ${String(message.entry.data).split('\n')[0]}`),
  }));
  return { outdir, assembly, stacks };
}
