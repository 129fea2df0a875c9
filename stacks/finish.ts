import type { App } from 'sst/constructs';
import { useDeferredTasks } from 'sst/constructs/deferred_task.js';

/**
 * Completes the app as `sst deploy` does (tags, SST's resource transforms) but
 * skips SST's deferred tasks, whose only job here is bundling each function:
 * the code stays an inline placeholder. For tests and `synth --no-bundle`,
 * which check the templates, not the bundles.
 */
export async function finishWithoutBundling(app: App): Promise<void> {
  useDeferredTasks().run = async () => true;
  await app.finish();
}
