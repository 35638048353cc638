// faxgate convert IN... OUT | faxgate info FILE — fax files (PBM, TIFF Class F, SFF) on disk.
// The input format is detected from the content, the output format from OUT's extension.
// Documents (PDF, images, text) and cover pages are rendered as a submission would
// (convert-document.ts).
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CodecError,
  ContainerError,
  type ContainerFormat,
  convertResolution,
  type FaxDocument,
  formatFromFileName,
  LINES_PER_INCH,
  PageError,
  readFaxDocument,
  type VerticalResolution,
  writeFaxDocument,
} from '@faxgate/fax-core';
import { type Command, Option } from 'commander';
import { COVER_URGENCIES } from '../../documents/cover.js';
import {
  beyondPolicy,
  DamagedPagesError,
  describeDamage,
  type PageDamage,
  pageDamage,
} from '../../intake/damage.js';
import { cliConfig } from '../context.js';
import { CliError } from '../errors.js';
import {
  fileNameOf,
  isRenderedDocument,
  type PreviewCoverOptions,
  renderPreview,
  wantsCover,
} from './convert-document.js';

type Coding = 'mh' | 'mr' | 'mmr';

const FORMAT_NAMES: Record<ContainerFormat, string> = { pbm: 'PBM', tiff: 'TIFF', sff: 'SFF' };

interface ConvertOptions extends PreviewCoverOptions {
  acceptDamaged?: boolean;
  compression?: Coding;
  fillOrder?: '1' | '2';
  resolution?: VerticalResolution;
}

function readInput(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new CliError(`cannot read ${file}: ${why}`, 2);
  }
}

/** Reads and decodes a fax file; bad content becomes a CliError (exit 2). */
function loadDocument(file: string, resolution?: VerticalResolution, data = readInput(file)): FaxDocument {
  try {
    return readFaxDocument(data, { resolution });
  } catch (e) {
    throw asInputError(file, e);
  }
}

/** Container and codec errors are bad input (exit 2); anything else is a fault (exit 1). */
function asInputError(file: string, e: unknown): unknown {
  if (e instanceof ContainerError || e instanceof CodecError || e instanceof PageError) {
    return new CliError(`${file}: ${e.message}`, 2);
  }
  return e;
}

/** Writes next to the target and renames, so OUT is never left half-written. */
function writeAtomically(file: string, data: Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new CliError(`cannot write ${file}: ${(e as Error).message}`, 2);
  }
}

async function convert(files: string[], opts: ConvertOptions, cmd: Command): Promise<void> {
  if (files.length < 2) throw new CliError('convert needs an input file and an output file', 2);
  const output = files[files.length - 1];
  const inputs = files.slice(0, -1);
  const input = inputs.join(' + ');
  const outFormat = formatFromFileName(output);
  if (!outFormat) {
    throw new CliError(
      `cannot tell the output format from "${path.basename(output)}": use .pbm, .tif, .tiff or .sff`,
      2,
    );
  }
  if (opts.compression && outFormat !== 'tiff' && !(outFormat === 'sff' && opts.compression === 'mh')) {
    throw new CliError(
      outFormat === 'sff'
        ? `SFF holds MH only (--compression ${opts.compression} is not possible)`
        : '--compression applies to TIFF (and SFF: mh) output only',
      2,
    );
  }
  if (opts.fillOrder && outFormat !== 'tiff') {
    throw new CliError('--fill-order applies to TIFF output only (SFF is always LSB first)', 2);
  }
  const data0 = inputs.map(readInput);
  if (inputs.length > 1 || wantsCover(opts) || isRenderedDocument(data0[0])) {
    // What a submission of these files stores: rendered in the sandbox, under the intake budget.
    const { config } = cliConfig(cmd);
    const damaged: PageDamage[] = [];
    const rendered = await renderPreview(
      config,
      inputs.map((f, i) => ({ name: fileNameOf(f), data: data0[i] })),
      opts.resolution,
      opts,
      undefined,
      damaged,
    );
    checkDamage(beyondPolicy(config.intake.damage, damaged), opts);
    const data = writeOutput(
      input,
      outFormat,
      rendered.map((page) => ({ page })),
      opts,
    );
    writeAtomically(output, data);
    return report(input, 'rendered as a submission', rendered.length, output, outFormat, data.length, opts);
  }
  const doc = loadDocument(input, opts.resolution, data0[0]);
  const { config } = cliConfig(cmd);
  checkDamage(
    beyondPolicy(
      config.intake.damage,
      doc.pages.map((p, i) => pageDamage(i + 1, fileNameOf(input), p.page.height, p.quality)),
    ),
    opts,
  );
  let pages = doc.pages.map((p) => ({ page: p.page, quality: p.quality }));
  // PBM stores no resolution: --resolution tags its pages (above). Other inputs are converted.
  if (opts.resolution && doc.format !== 'pbm') {
    const to = opts.resolution;
    pages = pages.map((p) =>
      p.page.resolution === to ? p : { page: convertResolution(p.page, to), quality: p.quality },
    );
  }
  const data = writeOutput(input, outFormat, pages, opts);
  writeAtomically(output, data);
  report(input, FORMAT_NAMES[doc.format], pages.length, output, outFormat, data.length, opts);
}

/**
 * A fax file damaged beyond intake.damage is refused as a submission would be (issue 16: a
 * damaged page is never passed on without a word); --accept-damaged writes it with a warning.
 */
function checkDamage(pages: PageDamage[], opts: ConvertOptions): void {
  if (pages.length === 0) return;
  if (!opts.acceptDamaged)
    throw new CliError(
      new DamagedPagesError(pages, 'convert with --accept-damaged to write it anyway').message,
      2,
    );
  for (const d of pages) process.stderr.write(`WARNING: ${d.file}: ${describeDamage(d)}\n`);
}

function writeOutput(
  input: string,
  outFormat: ContainerFormat,
  pages: Parameters<typeof writeFaxDocument>[1],
  opts: ConvertOptions,
): Uint8Array {
  try {
    return writeFaxDocument(outFormat, pages, {
      coding: opts.compression ?? 'mh',
      fillOrder: opts.fillOrder === '2' ? 2 : 1,
    });
  } catch (e) {
    throw asInputError(input, e);
  }
}

function report(
  input: string,
  from: string,
  pages: number,
  output: string,
  outFormat: ContainerFormat,
  bytes: number,
  opts: ConvertOptions,
): void {
  const coding =
    outFormat === 'pbm' ? 'uncompressed' : outFormat === 'sff' ? 'mh' : (opts.compression ?? 'mh');
  process.stdout.write(
    `${input} (${from}, ${pages} page${pages === 1 ? '' : 's'}) -> ` +
      `${output} (${FORMAT_NAMES[outFormat]}, ${coding}, ${bytes} bytes)\n`,
  );
}

function info(file: string, opts: { json?: boolean }): void {
  const doc = loadDocument(file);
  const pages = doc.pages.map((p, i) => ({
    ...p.info.details,
    page: i + 1,
    width: p.info.width,
    height: p.info.height,
    resolution: p.info.resolution,
    // as the file states it (TIFF), else the nominal value of the fax resolution
    lpi: (p.info.details.yLpi as number | undefined) ?? LINES_PER_INCH[p.info.resolution],
    coding: p.info.coding,
    badLines: p.info.badLines,
    consecutiveBadLines: p.info.consecutiveBadLines,
  }));
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ file, format: doc.format, pages: pages.length, ...doc.details, pageInfo: pages }, null, 2)}\n`,
    );
    return;
  }
  const lines: string[] = [`file: ${file}`];
  let format = FORMAT_NAMES[doc.format];
  if (doc.format === 'tiff') format += doc.details.byteOrder === 'MM' ? ' (big-endian)' : ' (little-endian)';
  lines.push(`format: ${format}`, `pages: ${pages.length}`);
  pages.forEach((p, i) => {
    let line =
      `page ${p.page}: ${p.width}x${p.height}, ${p.resolution} (${p.lpi} lpi), ${p.coding}, ` +
      `bad lines ${p.badLines}` +
      (p.badLines ? ` (at most ${p.consecutiveBadLines} in a row)` : '');
    if (doc.format === 'tiff') {
      const { fillOrder, classF, badFaxLines, consecutiveBadFaxLines } = doc.pages[i].info.details as {
        fillOrder: number;
        classF: string[];
        badFaxLines?: number;
        consecutiveBadFaxLines?: number;
      };
      // A received page is stored re-encoded (no bad rows left to find); its BadFaxLines tag
      // keeps what the reception repaired.
      if (badFaxLines)
        line += `, received with ${badFaxLines} bad lines (BadFaxLines${consecutiveBadFaxLines ? `, at most ${consecutiveBadFaxLines} in a row` : ''})`;
      line += `, fill order ${fillOrder}, ${classF.length === 0 ? 'TIFF Class F' : `not Class F: ${classF.join('; ')}`}`;
    }
    lines.push(line);
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerFaxFileCommands(program: Command): void {
  program
    .command('convert')
    .description(
      'convert a fax document between PBM, TIFF Class F and SFF, or render a document (PDF, image — PNG, JPEG, GIF, TIFF —, text) into fax pages exactly as a submission would — sandboxed, under the intake budget, with the cover page options of send — to preview it without sending (input type detected from the content, output format from the extension .pbm, .tif/.tiff or .sff)',
    )
    .usage('[options] <in...> <out>')
    .argument(
      '<files...>',
      'input file(s) (PBM, TIFF or SFF; PDF, PNG, JPEG, GIF (one frame), TIFF image or text), then the output file (.pbm, .tif, .tiff or .sff); several inputs give the pages of one submission of them all, rendered by one warm worker',
    )
    .addOption(new Option('--compression <coding>', 'TIFF coding (default mh)').choices(['mh', 'mr', 'mmr']))
    .addOption(
      new Option('--fill-order <n>', 'TIFF FillOrder: 1 = MSB first (default), 2 = LSB first').choices([
        '1',
        '2',
      ]),
    )
    .addOption(
      new Option(
        '--resolution <res>',
        'vertical resolution: converts TIFF/SFF pages to it; tags PBM input, which stores none (default fine)',
      ).choices(['standard', 'fine', 'superfine']),
    )
    .option(
      '--accept-damaged',
      'write fax pages with more bad rows than intake.damage allows (refused otherwise, as a submission is), with a warning',
    )
    .option('--cover', 'documents: put the cover page a submission would in front (sender block from cover:)')
    .option('--to-name <name>', 'cover page: recipient name (implies --cover)')
    .option('-x, --to-company <organisation>', 'cover page: recipient organisation (implies --cover)')
    .option('--comment <text>', 'cover page: comment text (implies --cover)')
    .addOption(
      new Option('--urgency <level>', 'cover page: urgency (implies --cover)').choices([...COVER_URGENCIES]),
    )
    .option('--subject <text>', 'cover page: subject')
    .option('-d, --destination <number>', 'cover page: recipient fax number')
    .option('--from <name>', 'cover page: sender name (default: your login name)')
    .option('--from-fax <number>', 'cover page: sender fax number (a submission: the mailbox number)')
    .action((files: string[], opts: ConvertOptions, cmd: Command) => convert(files, opts, cmd));

  program
    .command('info')
    .description(
      'describe a fax document: format, pages, and per page size, resolution, coding and bad lines',
    )
    .argument('<file>', 'PBM, TIFF or SFF file')
    .option('--json', 'print as JSON')
    .action((file: string, opts: { json?: boolean }) => info(file, opts));
}
