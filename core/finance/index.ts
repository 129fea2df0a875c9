export * from './csv';
export * from './discrepancy';
export * from './period';
export * from './reconcile';
export * from './reconcile-refund-rules';
export * from './reconcile-refunds';
export * from './reconcile-rules';
export * from './report';
