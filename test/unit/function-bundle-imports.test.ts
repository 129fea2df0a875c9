import { describe, expect, it } from 'vitest';
import { FUNCTION_KEYS } from '../../core/config/names';
import { functionBundleImports } from '../helpers/function-bundles';

// Issue 18 goal 1 (init): an ESM `import ... from 'node:http'` makes Node 22 copy every export of node:http
// into the module namespace, and reading http's lazy WebSocket / CloseEvent / MessageEvent getters loads
// undici, http2, worker_threads and the web streams: ~30 ms of each cold start. The functions take
// node:http and node:https from core/aws/node-http.ts (process.getBuiltinModule) instead.
const ESM_IMPORTS_THAT_LOAD_UNDICI = ['node:http', 'node:https', 'http', 'https'];

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
});
