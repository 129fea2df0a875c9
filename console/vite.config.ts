import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/**
 * The console's front end: built once into console/dist and served by
 * `payctl console` (cli/console/server.ts). Everything is bundled: no CDN,
 * no web fonts, so the page works on a closed network.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // chart.js is the bulk; one chunk keeps serving trivial and the page small enough for a console.
    chunkSizeWarningLimit: 600,
  },
});
