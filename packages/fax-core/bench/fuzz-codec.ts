// npm run fuzz:codec -- [--seconds N | --iterations N] [--seed S]
// Fuzzes the T.4/T.6 decoders until the time or case count is used up; prints cases/s and each
// failure with the seed that reproduces it (--seed S --iterations 1).
import { parseArgs } from 'node:util';
import { runFuzz } from '../src/test-support/codec-fuzz.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string' },
    iterations: { type: 'string' },
    seed: { type: 'string' },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const iterations = values.iterations !== undefined ? Number(values.iterations) : undefined;
const seconds =
  values.seconds !== undefined ? Number(values.seconds) : iterations === undefined ? 30 : undefined;
if (
  !Number.isInteger(seed) ||
  (iterations !== undefined && !(iterations > 0)) ||
  (seconds !== undefined && !(seconds > 0))
) {
  console.error('usage: fuzz-codec [--seconds N | --iterations N] [--seed S]');
  process.exit(2);
}

console.log(
  `fuzzing the codecs from seed ${seed}${seconds ? ` for ${seconds} s` : ` for ${iterations} cases`}`,
);
let total = 0;
let failures = 0;
const t0 = performance.now();
const chunk = 500;
let next = seed;
let lastReport = t0;
for (;;) {
  const left = seconds !== undefined ? seconds - (performance.now() - t0) / 1000 : undefined;
  const want = iterations !== undefined ? Math.min(chunk, iterations - total) : chunk;
  if (want <= 0 || (left !== undefined && left <= 0)) break;
  const s = runFuzz({ seed: next, iterations: want, seconds: left });
  next += s.cases;
  total += s.cases;
  for (const f of s.failures) {
    failures++;
    console.log(
      `FAIL seed ${f.seed}: ${f.error}\n  ${f.what}\n  reproduce: npm run fuzz:codec -- --seed ${f.seed} --iterations 1`,
    );
  }
  if (performance.now() - lastReport < 5000) continue;
  lastReport = performance.now();
  const elapsed = (lastReport - t0) / 1000;
  process.stdout.write(`  ${total} cases, ${(total / elapsed).toFixed(0)} cases/s, ${failures} failures\n`);
}
const elapsed = (performance.now() - t0) / 1000;
console.log(
  `${total} cases in ${elapsed.toFixed(1)} s (${(total / elapsed).toFixed(0)} cases/s), ${failures} failures`,
);
process.exit(failures > 0 ? 1 : 0);
