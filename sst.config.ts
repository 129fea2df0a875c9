import type { SSTConfig } from 'sst';
import { APP_NAME } from './core/config/names';
import { addStacks } from './stacks';

/** `npx sst deploy --stage prod`; see README "Deploy to AWS". Stage settings: stacks/stage-config.ts. */
export default {
  config(input) {
    return {
      name: APP_NAME,
      region: input.region ?? process.env.AWS_REGION ?? 'eu-west-1',
    };
  },
  stacks(app) {
    addStacks(app);
  },
} satisfies SSTConfig;
