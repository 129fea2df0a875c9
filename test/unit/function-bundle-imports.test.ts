import { describe, expect, it } from 'vitest';
import { FUNCTION_KEYS, FUNCTIONS } from '../../core/config/names';
import { keepsNoRecord } from '../../core/saga/steps-records';
import { functionBundleImports } from '../helpers/function-bundles';

// Issue 18 goal 1 (init): an ESM `import ... from 'node:http'` makes Node 22 copy every export of node:http
// into the module namespace, and reading http's lazy WebSocket / CloseEvent / MessageEvent getters loads
// undici, http2, worker_threads and the web streams: ~30 ms of each cold start. The functions take
// node:http and node:https from core/aws/node-http.ts (process.getBuiltinModule) instead.
const ESM_IMPORTS_THAT_LOAD_UNDICI = ['node:http', 'node:https', 'http', 'https'];

// Powertools idempotency (with its JMESPath and persistence layer: ~40 KB of a bundle, ~24 M instructions
// of an init) belongs in the functions whose steps keep records: the payment and top-up sagas' steps,
// less the payment steps that never keep one (core/saga/steps-records.ts keepsNoRecord: reserve, settle,
// notify; functions/commons/payment-step.ts), nor the two RecordOutcome steps. The refund saga's steps keep none
// (functions/commons/refund-step.ts), nor does any other function.
const IDEMPOTENCY_PACKAGE = /^@aws-lambda-powertools\/idempotency(\/|$)/;
// RecordOutcome (payment and top-up) is a plain conditional write that declares no record.
const DECLARE_NO_RECORD = new Set(['recordOutcome', 'topUpRecordOutcome']);
const keepsStepRecords = (key: string): boolean => {
  const spec = FUNCTIONS[key as keyof typeof FUNCTIONS];
  if (DECLARE_NO_RECORD.has(key)) return false;
  return Boolean(spec.topUpAslPlaceholder ?? (spec.aslPlaceholder && !keepsNoRecord(key)));
};

describe('function bundles', () => {
  it('do not import node:http or node:https as ES modules', async () => {
    // Act
    const { outputs, imports } = await functionBundleImports();

    // Assess
    expect(outputs).toBe(FUNCTION_KEYS.length);
    const offending = imports
      .filter(([, path]) => ESM_IMPORTS_THAT_LOAD_UNDICI.includes(path))
      .map(([output, path]) => `${output} imports ${path}`);
    expect([...new Set(offending)]).toEqual([]);
  });

  it("load Powertools idempotency only in the payment and top-up sagas' steps that keep records", async () => {
    // Act
    const { imports } = await functionBundleImports();

    // Assess
    const loading = new Set(
      imports
        .filter(([, path]) => IDEMPOTENCY_PACKAGE.test(path))
        .map(([output]) => output.replace(/\.js$/, '')),
    );
    expect([...loading].filter((key) => !keepsStepRecords(key))).toEqual([]);
    expect(loading).toContain('charge');
    expect(FUNCTION_KEYS.filter(keepsNoRecord)).toEqual(['reserve', 'settle', 'notify']);
  });
});
