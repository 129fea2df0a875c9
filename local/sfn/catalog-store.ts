import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * Where the state machines created through the API, the published versions
 * and the aliases live: `<dataDir>/sfn/catalog.json`, rewritten whole (temp
 * file + rename, so a crash leaves the old or the new file, never half of one)
 * on every change. Changes are rare (deploys, alias updates), unlike executions.
 */

const Routing = z.array(z.object({ stateMachineVersionArn: z.string(), weight: z.number() }));

export const StoredCatalog = z.object({
  machines: z.array(
    z.object({
      name: z.string(),
      definition: z.string(),
      roleArn: z.string(),
      creationDate: z.number(),
      updateDate: z.number(),
      /** true: registered by the runtime's config at construction (its definition comes from there). */
      fromConfig: z.boolean(),
    }),
  ),
  versions: z.array(
    z.object({
      machineName: z.string(),
      number: z.number().int().positive(),
      definition: z.string(),
      roleArn: z.string(),
      revisionId: z.string(),
      description: z.string().optional(),
      creationDate: z.number(),
    }),
  ),
  aliases: z.array(
    z.object({
      machineName: z.string(),
      name: z.string(),
      description: z.string().optional(),
      routing: Routing,
      creationDate: z.number(),
      updateDate: z.number(),
    }),
  ),
});
export type StoredCatalog = z.infer<typeof StoredCatalog>;

export class CatalogStore {
  private readonly file: string | undefined;

  constructor(dir: string | undefined) {
    this.file = dir === undefined ? undefined : join(dir, 'catalog.json');
    if (dir !== undefined) mkdirSync(dir, { recursive: true });
  }

  load(): StoredCatalog | undefined {
    if (!this.file || !existsSync(this.file)) return undefined;
    return StoredCatalog.parse(JSON.parse(readFileSync(this.file, 'utf8')));
  }

  save(catalog: StoredCatalog): void {
    if (!this.file) return;
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, `${JSON.stringify(catalog)}\n`);
    renameSync(temp, this.file);
  }
}
