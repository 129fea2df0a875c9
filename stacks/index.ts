import { Stack } from 'aws-cdk-lib';
import type { App } from 'sst/constructs';
import { Api } from './Api';
import { Console } from './Console';
import { Data } from './Data';
import { History } from './History';
import { Imports } from './Imports';
import { Intake } from './Intake';
import { applyNagChecks } from './nag';
import { Ops } from './Ops';
import { Refund } from './Refund';
import { Saga } from './Saga';
import { TopUp } from './TopUp';
import { Webhooks } from './Webhooks';

/**
 * SST gives every stack a custom-resource Lambda (with an AWS-managed policy)
 * for features paysaga does not use (source-map upload, secret prefetch,
 * sites); an unused function with its own role is only attack surface.
 */
function removeUnusedSstHandler(app: App): void {
  for (const child of app.node.children) {
    if (Stack.isStack(child)) child.node.tryRemoveChild('CustomResourceHandler');
  }
}

/** Every stack, in deploy order, with cdk-nag on each (the same in sst.config.ts, tests and npm run synth). */
export function addStacks(app: App): void {
  app
    .stack(Data)
    .stack(Intake)
    .stack(Saga)
    .stack(Webhooks)
    .stack(TopUp)
    .stack(Refund)
    .stack(History)
    .stack(Imports)
    .stack(Api)
    .stack(Ops)
    .stack(Console);
  removeUnusedSstHandler(app);
  applyNagChecks(app);
}

export { Api, Console, Data, History, Imports, Intake, Ops, Refund, Saga, TopUp, Webhooks };
