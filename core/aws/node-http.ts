import type * as NodeHttp from 'node:http';
import type * as NodeHttps from 'node:https';

/**
 * node:http and node:https for the functions' HTTP clients (core/aws/http.ts, the Stripe client, webhook
 * deliveries), taken with process.getBuiltinModule instead of an ESM import. Importing node:http from ESM
 * makes Node 22 copy every export into the module namespace, which reads http's lazy WebSocket,
 * CloseEvent and MessageEvent getters and so loads undici, http2, worker_threads and the web streams:
 * about 30 ms of every cold start (measured by `npm run bench:lambda`), for classes no function uses.
 * test/unit/function-bundle-imports.test.ts keeps the ESM imports out of the function bundles.
 */
export const http: typeof NodeHttp = process.getBuiltinModule('node:http');
export const https: typeof NodeHttps = process.getBuiltinModule('node:https');
