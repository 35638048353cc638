// Bundles the console for the gateway: dist/index.html and dist/assets/ (content-hashed names,
// minified, no source maps shipped). No CDN, no fonts: everything the page loads is here.
// Prints the compressed size of the JavaScript a first load fetches (budget: 300 KB).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const BUDGET = 300 * 1024;

fs.rmSync(dist, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { app: path.join(here, 'src/main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: path.join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error(`console build: expected one .js and one .css, got ${outputs.join(', ')}`);
const template = fs.readFileSync(path.join(here, 'src/index.html'), 'utf8');
fs.writeFileSync(
  path.join(dist, 'index.html'),
  template.replace('{{css}}', `/assets/${css}`).replace('{{js}}', `/assets/${js}`),
);
const gz = zlib.gzipSync(fs.readFileSync(path.join(dist, 'assets', js)), { level: 9 }).length;
console.log(`console: assets/${js} ${(gz / 1024).toFixed(1)} KB gzip (budget ${BUDGET / 1024} KB)`);
if (gz > BUDGET) {
  console.error('console: the first load is over its JavaScript budget');
  process.exit(1);
}
