export * from './amounts';
export * from './archiver';
export * from './build';
export * from './events';
export * from './refunds';
export * from './source';
export * from './status-event';
export * from './timeline';
