// faxgate convert for documents (PDF, images, text, a TIFF that is not a bilevel fax): the pages
// a submission of the same file would store, for a preview without sending. It runs the
// submission's own document loader (documents/load-pages.ts) with the configuration's intake
// budgets and render sandbox (bubblewrap unless render.sandbox says otherwise), and puts a
// cover page in front as the API does (documents/cover.ts). Local: no daemon, no login, no
// database — it reads only the user's file and the configuration.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BilevelPage, detectFormat, scanFaxFile, type VerticalResolution } from '@faxgate/fax-core';
import type { FaxgateConfig } from '../../config/schema.js';
import { type CoverRequest, checkCoverRequest, coverOptions } from '../../documents/cover.js';
import {
  createDocumentLoader,
  DocumentInputError,
  documentLoaderOptions,
  RenderUnavailableError,
} from '../../documents/load-pages.js';
import type { PageDamage } from '../../intake/damage.js';
import { CliError } from '../errors.js';

/** The cover page options of `faxgate convert` (those of `faxgate send`, plus the sender). */
export interface PreviewCoverOptions {
  cover?: boolean;
  toName?: string;
  toCompany?: string;
  comment?: string;
  urgency?: CoverRequest['urgency'];
  subject?: string;
  destination?: string;
  from?: string;
  fromFax?: string;
}

/**
 * Whether a file goes to the renderer in a submission: anything that is not a fax file, and a
 * TIFF the fax reader does not take as bilevel (a photo, a scan in grey) — as the loader decides.
 */
export function isRenderedDocument(data: Uint8Array): boolean {
  const format = detectFormat(data);
  if (!format) return true;
  if (format !== 'tiff') return false;
  try {
    return !scanFaxFile(data, { maxPages: 10_000 }).bilevel;
  } catch {
    return false; // a broken TIFF: the fax reader says what is wrong with it
  }
}

/** Whether the cover options ask for a cover page (any recipient field implies one, as in send). */
export function wantsCover(o: PreviewCoverOptions): boolean {
  return Boolean(o.cover || o.toName || o.toCompany || o.comment || o.urgency);
}

/**
 * The pages a submission of these files stores, in order: rendered in the sandboxed pool under
 * the configuration's intake budget (one budget for all, as one submission), with the cover page
 * in front when asked for. One pool renders them all: the worker starts once. Errors are the
 * API's (`name: why`), exit 2; no sandbox is exit 1 (not the file's fault).
 */
export async function renderPreview(
  config: FaxgateConfig,
  files: readonly { name: string; data: Uint8Array }[],
  resolution: VerticalResolution | undefined,
  o: PreviewCoverOptions,
  now = new Date(),
  damaged?: PageDamage[],
): Promise<BilevelPage[]> {
  if (resolution === 'superfine')
    throw new CliError('documents render at standard or fine resolution, as a submission does', 2);
  let cover: ReturnType<typeof coverOptions> | undefined;
  if (wantsCover(o)) {
    const request: CoverRequest = {
      toName: o.toName,
      toCompany: o.toCompany,
      comment: o.comment,
      urgency: o.urgency,
    };
    const bad = checkCoverRequest(request);
    if (bad) throw new CliError(`cover page: ${bad}`, 2);
    const sender = o.from ?? osUser();
    cover = coverOptions(
      config,
      { name: sender, displayName: sender, faxNumber: o.fromFax },
      { number: o.destination ?? '', subject: o.subject },
      request,
      now,
    );
  }
  const options = documentLoaderOptions(config, (w) => process.stderr.write(`WARNING: ${w}\n`));
  // No header line is drawn in the worker (the controller prints it when sending), so nothing
  // to load before the job; two workers when there are two documents to render.
  options.warm = false;
  options.workers = Math.min(2, Math.max(1, files.filter((f) => isRenderedDocument(f.data)).length));
  // The daemon's paths.tmp may not exist for a user's preview; the sandbox is the same.
  if (options.sandbox && !existsSync(options.sandbox.tmpDir ?? '')) options.sandbox.tmpDir = os.tmpdir();
  const loader = createDocumentLoader(options);
  try {
    return await loader.load(files, resolution, cover, damaged);
  } catch (e) {
    if (e instanceof DocumentInputError) throw new CliError(e.message, 2);
    if (e instanceof RenderUnavailableError) throw new CliError(e.message, 1);
    throw e;
  } finally {
    await loader.close();
  }
}

/** The name a submission of this file would carry in errors. */
export const fileNameOf = (input: string): string => path.basename(input);

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}
