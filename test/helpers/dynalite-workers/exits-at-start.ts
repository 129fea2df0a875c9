/** A DynamoDB worker that ends, without an error, before it is ready (exit code 3). */
process.exit(3);

export {};
