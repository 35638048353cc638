export * from './codec/index.js';
export * from './page.js';
export * from './containers/index.js';
