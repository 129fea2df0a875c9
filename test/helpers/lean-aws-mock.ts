import { mockClient } from 'aws-sdk-client-mock';

/**
 * aws-sdk-client-mock for the lean AWS clients (core/aws): it stubs `send` on
 * any class or instance and matches a command by its class and `input`, so it
 * drives the lean clients as it drove the SDK's; only its types name the SDK's
 * (middleware stacks), hence these looser ones. Same calls: on(Command, input)
 * .resolves / .rejects / .callsFake, commandCalls, reset, restore.
 */

type CommandClass<Input> = new (input: Input) => { readonly input: Input };

export interface LeanBehavior<Input> {
  resolves(output: unknown): LeanStub;
  resolvesOnce(output: unknown): LeanBehavior<Input>;
  rejects(error?: unknown): LeanStub;
  rejectsOnce(error?: unknown): LeanBehavior<Input>;
  /** The fake gets the command's input. */
  callsFake(fake: (input: never) => unknown): LeanStub;
  callsFakeOnce(fake: (input: never) => unknown): LeanBehavior<Input>;
}

export interface LeanStub extends LeanBehavior<unknown> {
  on<Input>(command: CommandClass<Input>, input?: Partial<Input>, strict?: boolean): LeanBehavior<Input>;
  onAnyCommand(input?: object, strict?: boolean): LeanBehavior<unknown>;
  commandCalls<Input>(
    command: CommandClass<Input>,
    input?: Partial<Input>,
    strict?: boolean,
  ): { readonly args: readonly [{ readonly input: Input }] }[];
  calls(): { readonly args: readonly [{ readonly input: unknown }] }[];
  reset(): LeanStub;
  restore(): void;
}

/** Stubs `send` of a lean client class (every instance) or of one instance. */
export function mockLeanClient(client: { prototype: { send: unknown } } | { send: unknown }): LeanStub {
  return mockClient(client as never) as unknown as LeanStub;
}
