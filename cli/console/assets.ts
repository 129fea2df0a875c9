import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The front end's sources (console/) and build output (console/dist, git-ignored). */
export const CONSOLE_ROOT = fileURLToPath(new URL('../../console/', import.meta.url));
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));
const VITE_CONFIG = fileURLToPath(new URL('../../console/vite.config.ts', import.meta.url));

export const isBuilt = (): boolean => existsSync(`${CONSOLE_DIST}index.html`);

/** Builds console/dist with Vite (what `npm run console:build` does); vite is loaded only when needed. */
export async function buildConsoleAssets(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: VITE_CONFIG, logLevel: 'warn' });
  if (!isBuilt()) throw new Error(`vite build finished without ${CONSOLE_DIST}index.html`);
}

/** Builds the assets unless they are there already (or `rebuild`). */
export async function ensureConsoleAssets(
  options: { rebuild?: boolean; note?: (text: string) => void } = {},
) {
  if (isBuilt() && !options.rebuild) return CONSOLE_DIST;
  options.note?.('building the console (vite build, console/dist) ...');
  await buildConsoleAssets();
  return CONSOLE_DIST;
}
