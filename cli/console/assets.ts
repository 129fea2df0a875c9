import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The front end's sources (console/) and build output (console/dist, git-ignored). */
export const CONSOLE_ROOT = fileURLToPath(new URL('../../console/', import.meta.url));
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));
const VITE_CONFIG = fileURLToPath(new URL('../../console/vite.config.ts', import.meta.url));

export const isBuilt = (dir: string = CONSOLE_DIST): boolean => existsSync(join(dir, 'index.html'));

/**
 * Builds the front end with Vite (what `npm run console:build` does) into
 * console/dist, or into `outDir` (tests build privately, so two runs never
 * empty each other's assets); vite is loaded only when needed.
 */
export async function buildConsoleAssets(outDir: string = CONSOLE_DIST): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: VITE_CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  if (!isBuilt(outDir)) throw new Error(`vite build finished without ${join(outDir, 'index.html')}`);
  return outDir;
}

/** Builds console/dist unless it is there already (or `rebuild`); returns the assets directory. */
export async function ensureConsoleAssets(
  options: { rebuild?: boolean; note?: (text: string) => void } = {},
): Promise<string> {
  if (isBuilt() && !options.rebuild) return CONSOLE_DIST;
  options.note?.('building the console (vite build, console/dist) ...');
  return buildConsoleAssets();
}
