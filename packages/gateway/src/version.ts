import fs from 'node:fs';

// src/version.ts and dist/version.js both sit one level below the package root.
const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export const GATEWAY_VERSION: string = pkg.version;
