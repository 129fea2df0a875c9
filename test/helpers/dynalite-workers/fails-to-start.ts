/**
 * A DynamoDB worker that fails while it starts, as the real one does when dynalite or LevelDB cannot be
 * loaded: it throws before it is ready.
 */
throw new Error('dynalite could not be loaded (test worker)');

export {};
