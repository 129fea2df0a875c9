import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * The parts of a state machine definition the local service needs besides
 * running it: every Task state (also inside Map/Parallel) with its Resource and
 * timeout, and copies of the definition to run from a given state (redrive,
 * resume) with Retry waits scaled for tests.
 */

export interface TaskStateInfo {
  readonly resource: string;
  readonly timeoutSeconds?: number;
}

type StateLike = Record<string, unknown> & { Type?: unknown };
type StatesLike = Record<string, StateLike>;

export class InvalidStateMachineDefinitionError extends Error {
  override readonly name = 'InvalidStateMachineDefinitionError';
}

export class PreparedDefinition {
  readonly text: string;
  readonly startAt: string;
  readonly timeoutSeconds: number | undefined;
  readonly taskStates: ReadonlyMap<string, TaskStateInfo>;
  readonly stateNames: ReadonlySet<string>;
  private readonly scaled: StateMachineDefinition;

  constructor(
    readonly stateMachineName: string,
    definition: object,
    retryIntervalScale: number,
  ) {
    this.text = JSON.stringify(definition);
    validateOnce(stateMachineName, this.text);
    const parsed = JSON.parse(this.text) as StateMachineDefinition;
    this.startAt = parsed.StartAt;
    this.timeoutSeconds = parsed.TimeoutSeconds;
    const tasks = new Map<string, TaskStateInfo>();
    const names = new Set<string>();
    collectStates(parsed.States as unknown as StatesLike, tasks, names);
    this.taskStates = tasks;
    this.stateNames = names;
    this.scaled = scaleRetries(parsed, retryIntervalScale);
  }

  /** A definition that starts at `stateName` (top-level) with the given execution timeout. */
  startingAt(stateName: string, timeoutSeconds: number | undefined): StateMachineDefinition {
    const copy: StateMachineDefinition = { ...this.scaled, StartAt: stateName };
    if (timeoutSeconds === undefined) delete copy.TimeoutSeconds;
    else copy.TimeoutSeconds = timeoutSeconds;
    return copy;
  }

  isTopLevelState(stateName: string): boolean {
    return stateName in this.scaled.States;
  }
}

/** asl-validator compiles its schemas on each call (~0.3 s): validate each distinct definition once per process. */
const validDefinitions = new Set<string>();

function validateOnce(stateMachineName: string, text: string): void {
  if (validDefinitions.has(text)) return;
  try {
    new StateMachine(JSON.parse(text) as StateMachineDefinition);
  } catch (error) {
    throw new InvalidStateMachineDefinitionError(
      `state machine ${stateMachineName}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  validDefinitions.add(text);
}

function collectStates(states: StatesLike, tasks: Map<string, TaskStateInfo>, names: Set<string>): void {
  for (const [name, state] of Object.entries(states)) {
    names.add(name);
    if (state.Type === 'Task' && typeof state.Resource === 'string') {
      const timeoutSeconds = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined;
      tasks.set(name, { resource: state.Resource, ...(timeoutSeconds !== undefined && { timeoutSeconds }) });
    }
    for (const nested of nestedMachines(state)) collectStates(nested.States, tasks, names);
  }
}

function nestedMachines(state: StateLike): Array<{ States: StatesLike }> {
  const machines: Array<{ States: StatesLike }> = [];
  const push = (value: unknown): void => {
    if (value && typeof value === 'object' && 'States' in value)
      machines.push(value as { States: StatesLike });
  };
  push(state.Iterator);
  push(state.ItemProcessor);
  if (Array.isArray(state.Branches)) for (const branch of state.Branches) push(branch);
  return machines;
}

/** Multiplies IntervalSeconds and MaxDelaySeconds of every retrier, keeping backoff and jitter as written. */
function scaleRetries(definition: StateMachineDefinition, scale: number): StateMachineDefinition {
  const copy = JSON.parse(JSON.stringify(definition)) as StateMachineDefinition;
  if (scale === 1) return copy;
  const visit = (states: StatesLike): void => {
    for (const state of Object.values(states)) {
      if (Array.isArray(state.Retry)) {
        for (const retrier of state.Retry as Array<Record<string, unknown>>) {
          retrier.IntervalSeconds =
            (typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1) * scale;
          if (typeof retrier.MaxDelaySeconds === 'number') retrier.MaxDelaySeconds *= scale;
        }
      }
      for (const nested of nestedMachines(state)) visit(nested.States);
    }
  };
  visit(copy.States as unknown as StatesLike);
  return copy;
}
