import { readEnv } from '../../core/config/env';

/** The function's configuration, read from the environment once per cold start. */
export const env = readEnv();
