// The gateway's codec work per outgoing fax page, before and after transcoding, measured side by
// side in one run (part of bench:codec; `--transcode-only` runs just this):
// - call start (loadSff): stored single-page MMR TIFF → SFF. Before: decode to pixels
//   (readTiff), then MH-code every row (encodeSffPageRecords). After: sffFromTiffs — rows go
//   from T.6 changing elements to MH records, no pixels.
// - submit (pagesFromTiff + encodePages): submitted MMR TIFF → stored TIFF. Before: decode, then
//   MMR-code the pixels again (writeTiff). After: decode (still the input check), then wrap the
//   submitted strip (writeTiffStrips).
// Before and after alternate in rounds, so load from other processes hits both alike; the median
// round is printed.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { decodePage, decodePageRuns } from '../src/codec/decode.js';
import { encodeSffPageRecords, writeSff } from '../src/containers/sff.js';
import { sffRecordsFromCoded } from '../src/containers/sff-transcode.js';
import { readTiff, writeTiff, writeTiffStrips } from '../src/containers/tiff.js';
import { sffFromTiffs } from '../src/containers/tiff-to-sff.js';
import { readTiffStrip } from '../src/test-support/ccitt.js';

export interface TranscodeBenchOptions {
  /** CCITT golden MMR TIFFs (libtiff), page 1 first. */
  files: string[];
  iterations: number;
  rounds: number;
  now: () => number;
}

interface Step {
  name: string;
  before: (i: number) => unknown;
  after: (i: number) => unknown;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ms per call of fn over the pages `which`, median of `rounds` rounds (before/after interleaved). */
function measure(
  steps: Step[],
  which: number[],
  o: TranscodeBenchOptions,
): { name: string; before: number; after: number }[] {
  const times = steps.map(() => ({ before: [] as number[], after: [] as number[] }));
  const run = (fn: (i: number) => unknown, n: number) => {
    const t0 = o.now();
    for (let k = 0; k < n; k++) for (const i of which) fn(i);
    return (o.now() - t0) / n / which.length;
  };
  for (const s of steps) {
    run(s.before, Math.max(3, o.iterations >> 2)); // warm-up
    run(s.after, Math.max(3, o.iterations >> 2));
  }
  for (let r = 0; r < o.rounds; r++) {
    steps.forEach((s, k) => {
      times[k].before.push(run(s.before, o.iterations));
      times[k].after.push(run(s.after, o.iterations));
    });
  }
  return steps.map((s, k) => ({
    name: s.name,
    before: median(times[k].before),
    after: median(times[k].after),
  }));
}

export function benchTranscode(o: TranscodeBenchOptions): void {
  const submitted = o.files.map((f) => new Uint8Array(readFileSync(f)));
  const heights = o.files.map((f) => readTiffStrip(f).height);
  // what the gateway stores (our writer; the strip equals libtiff's) and reads at call start
  const stored = submitted.map((d) => writeTiff([readTiff(d).pages[0].page], { coding: 'mmr' }));
  const strips = stored.map((d) => readTiff(d).pages[0].strip as Uint8Array);
  const mmr = (i: number) => ({ coding: 'mmr' as const, width: 1728, height: heights[i] });

  // correctness first: after gives the bytes before gives
  for (let i = 0; i < o.files.length; i++) {
    const before = writeSff(readTiff(stored[i]).pages.map((p) => p.page));
    const after = sffFromTiffs([stored[i]], { maxResolution: 'fine' });
    if (after.transcoded !== 1 || !Buffer.from(after.sff).equals(Buffer.from(before)))
      throw new Error(`page ${i + 1}: transcoded SFF differs`);
    const page = readTiff(submitted[i]).pages[0];
    const kept = writeTiffStrips([{ page: page.page, strip: page.strip as Uint8Array }], { coding: 'mmr' });
    if (!Buffer.from(kept).equals(Buffer.from(writeTiff([page.page], { coding: 'mmr' }))))
      throw new Error(`page ${i + 1}: kept strip differs from the re-encoded one`);
  }

  let sink = 0;
  const noop = (_c: Int32Array, n: number) => {
    sink += n;
  };
  const steps: Step[] = [
    {
      name: 'call start: decode the strip (to pixels / to runs)',
      before: (i) => decodePage(strips[i], mmr(i)),
      after: (i) => decodePageRuns(strips[i], mmr(i), noop),
    },
    {
      name: 'call start: strip → SFF records (via pixels / runs)',
      before: (i) => encodeSffPageRecords(decodePage(strips[i], mmr(i)).page),
      after: (i) => sffRecordsFromCoded(strips[i], mmr(i)),
    },
    {
      name: 'call start: stored TIFF → SFF document (loadSff)',
      before: (i) => writeSff(readTiff(stored[i]).pages.map((p) => p.page)),
      after: (i) => sffFromTiffs([stored[i]], { maxResolution: 'fine' }),
    },
    {
      name: 'submit: TIFF → stored TIFF (decode + re-encode / keep strip)',
      before: (i) => writeTiff([readTiff(submitted[i]).pages[0].page], { coding: 'mmr' }),
      after: (i) => {
        const p = readTiff(submitted[i]).pages[0];
        return writeTiffStrips([{ page: p.page, strip: p.strip as Uint8Array }], { coding: 'mmr' });
      },
    },
  ];

  const page1 = measure(steps, [0], o);
  const all = measure(
    steps,
    o.files.map((_, i) => i),
    o,
  );
  const fmt = (x: number) => x.toFixed(2);
  const header = ['step', 'p1 before', 'p1 after', 'p1 saved', 'mean 1-8 before', 'mean 1-8 after'];
  const table = page1.map((r, k) => [
    r.name,
    fmt(r.before),
    fmt(r.after),
    `${(100 * (1 - r.after / r.before)).toFixed(0)} %`,
    fmt(all[k].before),
    fmt(all[k].after),
  ]);
  const perFax = (rows: typeof page1) => rows[2].before + rows[3].before;
  const perFaxAfter = (rows: typeof page1) => rows[2].after + rows[3].after;
  table.push([
    'per one-page fax: submit + call start',
    fmt(perFax(page1)),
    fmt(perFaxAfter(page1)),
    `${(100 * (1 - perFaxAfter(page1) / perFax(page1))).toFixed(0)} %`,
    fmt(perFax(all)),
    fmt(perFaxAfter(all)),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((t) => t[c].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(
    `\nTranscoding, ms per page (before = pixel path, after = transcode / kept strip; CCITT page 1 = 1728x2376 fine MMR; median of ${o.rounds} rounds of ${o.iterations}; node ${process.version}; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs)`,
  );
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const t of table) console.log(line(t));
  if (sink < 0) console.log(sink); // keeps the no-op sink from being optimised away
}
