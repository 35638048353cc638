export * from './codec/index.js';
export * from './page.js';
