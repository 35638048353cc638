#!/usr/bin/env node
// The faxgate command. A committed file, so npm links the bin at install time, before the
// build has written dist/ (a link to dist/ would be skipped then, and npx faxgate fail).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('faxgate: not built yet: run `npm run build` in the faxgate checkout first\n');
  process.exit(1);
}
await import(main.href);
