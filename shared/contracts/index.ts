export * from './ids';
export * from './operation';
export * from './dataarts';
export * from './codearts-deploy';
export * from './codearts-pipeline';
