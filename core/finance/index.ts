export * from './csv';
export * from './discrepancy';
export * from './period';
export * from './reconcile';
export * from './reconcile-rules';
export * from './report';
