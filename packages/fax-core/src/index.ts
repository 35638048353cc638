export * from './codec/index.js';
export * from './containers/index.js';
export * from './export/index.js';
export * from './page.js';
