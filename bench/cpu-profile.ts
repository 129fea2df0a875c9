import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * A V8 CPU profile of the main thread over part of a bench (`npm run bench -- --cpu-profile FILE`), and
 * its summary by module: where the thread every saga step shares spends its time (issue 18 goal 3).
 */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** V8's sampling profiler on this thread, through the inspector. */
export async function startCpuProfile(): Promise<{ stop(): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile as CpuProfile;
    },
  };
}

export function writeCpuProfile(file: string, profile: CpuProfile): void {
  writeFileSync(file, JSON.stringify(profile));
}

/** What a frame belongs to: a package, a folder of this repository (two levels), a Node internal, or V8's own. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const own = /\/(bench|cli|core|events|functions|local|test)\/(?:([^/]+)\/)?[^/]+$/.exec(url);
  if (own) return own[2] ? `${own[1]}/${own[2]}` : (own[1] ?? url);
  return url;
}

/** Groups of modules reported together: what the runtime's parts cost, callees included. */
export const PROFILE_GROUPS: Readonly<Record<string, RegExp>> = {
  'dynalite + LevelDB': /^(dynalite|classic-level|abstract-level|level|memory-level|lock|async|lazy)$/,
  'handlers (functions/, core/, Powertools, middy, zod)':
    /^(functions|core|local\/functions)(\/|$)|^(@aws-lambda-powertools|@middy|zod)/,
  'node HTTP (client and server)': /^node:_http_|^node:http$/,
  'Step Functions (local/sfn + engine)': /^(local\/sfn|aws-local-stepfunctions|jsonpath-plus|ajv)$/,
  'SQS (local/sqs + fauxqs)': /^(local\/sqs|fauxqs)$/,
  'EventBridge (local/events)': /^local\/events$/,
  'the edge (local/edge)': /^local\/edge$/,
  'local DynamoDB service (local/dynamodb)': /^local\/dynamodb$/,
  'garbage collector': /^\(garbage collector\)$/,
  idle: /^\(idle\)$/,
};

export interface ProfileShare {
  readonly name: string;
  /** Share of the sampled time with a frame of it on the stack (callees included), in %. */
  readonly inclusive: number;
  /** Share with a frame of it on top of the stack, in %. */
  readonly self: number;
}

/** Self and inclusive shares by module (the `top` largest inclusive) and by group. */
export function summarizeCpuProfile(
  profile: CpuProfile,
  top = 15,
): { readonly seconds: number; readonly modules: ProfileShare[]; readonly groups: ProfileShare[] } {
  const parent = new Map<number, number>();
  const moduleById = new Map<number, string>();
  for (const node of profile.nodes) {
    moduleById.set(node.id, moduleOf(node.callFrame.url, node.callFrame.functionName));
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const groupSelf = new Map<string, number>();
  const groupInclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, dt: number) => map.set(key, (map.get(key) ?? 0) + dt);
  let total = 0;
  profile.samples.forEach((leaf, index) => {
    const dt = profile.timeDeltas[index + 1] ?? 0;
    total += dt;
    const onStack = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id))
      onStack.add(moduleById.get(id) ?? '?');
    const top = moduleById.get(leaf) ?? '?';
    add(self, top, dt);
    for (const name of onStack) add(inclusive, name, dt);
    for (const [group, pattern] of Object.entries(PROFILE_GROUPS)) {
      if (pattern.test(top)) add(groupSelf, group, dt);
      if ([...onStack].some((name) => pattern.test(name))) add(groupInclusive, group, dt);
    }
  });
  const pct = (value: number | undefined) => Math.round(((value ?? 0) / Math.max(1, total)) * 1000) / 10;
  const modules = [...inclusive.keys()]
    .filter((name) => name !== '(root)' && !name.startsWith('node:internal/process'))
    .map((name) => ({ name, inclusive: pct(inclusive.get(name)), self: pct(self.get(name)) }))
    .sort((a, b) => b.inclusive - a.inclusive)
    .slice(0, top);
  const groups = Object.keys(PROFILE_GROUPS).map((name) => ({
    name,
    inclusive: pct(groupInclusive.get(name)),
    self: pct(groupSelf.get(name)),
  }));
  return { seconds: Math.round(total / 1e5) / 10, modules, groups };
}
