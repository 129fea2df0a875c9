import { describe, expect, it } from 'vitest';
import { type CpuProfile, moduleOf, summarizeCpuProfile } from '../../bench/cpu-profile';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});

describe('bench CPU profile summary', () => {
  it('names a frame by package, repository folder, Node internal or V8 state', () => {
    // Act
    const names = [
      moduleOf('file:///repo/node_modules/dynalite/index.js', 'httpHandler'),
      moduleOf('file:///repo/node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js', 'info'),
      moduleOf('file:///repo/local/sfn/execution-store.ts', 'write'),
      moduleOf('file:///repo/local/runtime.ts', 'startRuntime'),
      moduleOf('node:internal/streams/writable', 'write'),
      moduleOf('', '(garbage collector)'),
      moduleOf('', 'writev'),
    ];

    // Assess
    expect(names).toEqual([
      'dynalite',
      '@aws-lambda-powertools/logger',
      'local/sfn',
      'local',
      'node:internal/streams',
      '(garbage collector)',
      '(native)',
    ]);
  });

  it('counts a sample once per module and group on its stack, and self time for its top frame', () => {
    // Prepare: root -> edge -> dynamodb service -> dynalite; root -> GC. Each sample lasts until the next
    // (V8's timeDeltas are from the sample before): 1 ms each, the last one open.
    const profile: CpuProfile = {
      nodes: [
        frame(1, '(root)', '', [2, 5]),
        frame(2, 'handle', 'file:///repo/local/edge/edge-server.ts', [3]),
        frame(3, 'handleRaw', 'file:///repo/local/dynamodb/dynamodb-service.ts', [4]),
        frame(4, 'httpHandler', 'file:///repo/node_modules/dynalite/index.js'),
        frame(5, '(garbage collector)', ''),
      ],
      samples: [4, 4, 5, 5],
      timeDeltas: [0, 1000, 1000, 1000],
    };

    // Act
    const summary = summarizeCpuProfile(profile);

    // Assess
    const share = (name: string) => summary.modules.find((m) => m.name === name);
    const group = (name: string) => summary.groups.find((g) => g.name === name);
    expect(share('dynalite')).toEqual({ name: 'dynalite', inclusive: 66.7, self: 66.7 });
    expect(share('local/edge')).toEqual({ name: 'local/edge', inclusive: 66.7, self: 0 });
    expect(group('dynalite + LevelDB')).toMatchObject({ inclusive: 66.7, self: 66.7 });
    expect(group('garbage collector')).toMatchObject({ inclusive: 33.3, self: 33.3 });
    expect(group('local DynamoDB service (local/dynamodb)')).toMatchObject({ inclusive: 66.7, self: 0 });
  });
});
