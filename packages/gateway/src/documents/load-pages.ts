// Submitted files → fax pages, for the CLI and the REST API alike, never on the main thread:
// every fax file (PBM, TIFF Class F, SFF) is pre-scanned and the whole submission's page and
// pixel budget checked before anything is decoded; fax files are then decoded in worker threads
// (fax-decoder.ts), PDF, images and text rendered in the sandboxed render pool, started only
// when a file needs it. The type comes from the content, never the name.
import {
  type BilevelPage,
  type FaxFileScan,
  RenderLimitError,
  type VerticalResolution,
} from '@faxgate/fax-core';
import type { CoverPageOptions, RenderPoolOptions, SandboxOptions } from '@faxgate/fax-core/render';
import type { FaxgateConfig } from '../config/schema.js';
import { type PageDamage, pageDamage } from '../intake/damage.js';
import { BudgetCounter, type IntakeBudget, planSubmission } from './budget.js';
import {
  BudgetExceededError,
  type DocumentFile,
  DocumentInputError,
  FaxDecodeError,
  FaxDecodeLimitError,
  isFaxContentError,
  RenderUnavailableError,
} from './errors.js';
import { createFaxDecoder, type DecodedFaxPage, type FaxDecoder } from './fax-decoder.js';

export {
  BudgetExceededError,
  type DocumentFile,
  DocumentInputError,
  RenderUnavailableError,
} from './errors.js';

type RenderModule = typeof import('@faxgate/fax-core/render');
type RenderPool = ReturnType<RenderModule['createRenderPool']>;

export interface DocumentLoader {
  /**
   * Pages of every file, in order. `resolution` (when given) is what the fax is sent at:
   * fax files are converted to it, documents rendered at it (default fine).
   */
  load(
    files: readonly DocumentFile[],
    resolution?: VerticalResolution,
    cover?: CoverPageOptions,
    /** Filled with the pages that have bad rows (fax files only; intake/damage.ts). */
    damaged?: PageDamage[],
  ): Promise<BilevelPage[]>;
  /**
   * A check for files as they arrive (an upload read part by part): each call scans one fax
   * file and counts it against the loader's budget, throwing BudgetExceededError at the first
   * file over it — before the rest of the upload is read. `load` checks the whole set again.
   */
  budgetCheck(): (file: DocumentFile) => void;
  /** The render sandbox as configured (shown in /status and the lockdown report). */
  readonly sandbox: SandboxOptions['mode'];
  /** Decode threads and render pool started so far (both start at the first file that needs them). */
  stats(): { decodeThreads: number; renderPool: boolean };
  close(): Promise<void>;
}

export interface DocumentLoaderOptions {
  /** Render processes, when one is needed (default 1). */
  workers?: number;
  /**
   * Let each render worker load the header line's font as soon as it is ready (default true:
   * a daemon's). A preview draws no header line in the worker: false, so its job starts sooner.
   */
  warm?: boolean;
  /** Fax decode threads (default 2). */
  decodeThreads?: number;
  /** Budget of one submission (default: 500 pages, ≈ 500 A4 fine pages of pixels). */
  budget?: Partial<IntakeBudget>;
  /** Wall time of decoding one fax file, ms (default 30 000). */
  decodeTimeoutMs?: number;
  /** The render sandbox (default bubblewrap, tmp under the OS tmp dir). */
  sandbox?: SandboxOptions;
  /** Loud warnings (no sandbox, a weaker one), each said once; default console.error. */
  onWarning?: (message: string) => void;
}

export const DEFAULT_BUDGET: IntakeBudget = { maxPages: 500, maxPixels: 2_100_000_000 };

/** The loader options a configuration asks for (intake budgets, render.sandbox, paths.tmp). */
export function documentLoaderOptions(
  config: Pick<FaxgateConfig, 'intake' | 'render' | 'paths'>,
  onWarning?: (message: string) => void,
): DocumentLoaderOptions {
  return {
    budget: { maxPages: config.intake.maxPages, maxPixels: config.intake.maxPixels },
    decodeTimeoutMs: config.intake.decodeTimeoutSeconds * 1000,
    sandbox: { mode: config.render.sandbox, tmpDir: config.paths.tmp },
    onWarning,
  };
}

/** Decoder and renderer complaints are about the file; anything else is our fault. */
function isInputProblem(e: unknown): e is Error {
  return isFaxContentError(e) || e instanceof FaxDecodeError || e instanceof FaxDecodeLimitError;
}

/**
 * The pool stays up between loads (a daemon renders many submissions) until `close`; so do
 * the decode threads.
 */
export function createDocumentLoader(opts: DocumentLoaderOptions = {}): DocumentLoader {
  const budget: IntakeBudget = { ...DEFAULT_BUDGET, ...opts.budget };
  const said = new Set<string>();
  const warn = (m: string) => {
    if (said.has(m)) return;
    said.add(m);
    (opts.onWarning ?? ((w: string) => console.error(`WARNING: ${w}`)))(m);
  };
  const mode = opts.sandbox?.mode ?? 'bubblewrap';
  if (mode === 'none') {
    // Said when the loader is made (the daemon's start), not at the first document.
    void import('@faxgate/fax-core/render').then((m) => warn(m.UNSANDBOXED_WARNING));
  }
  let pool: Promise<RenderPool> | undefined;
  let decoder: FaxDecoder | undefined;
  const renderPool = () => {
    pool ??= import('@faxgate/fax-core/render').then((m) => {
      const options: RenderPoolOptions = { workers: opts.workers ?? 1, onWarning: warn };
      if (opts.warm !== undefined) options.warm = opts.warm;
      if (opts.sandbox) options.sandbox = opts.sandbox;
      try {
        return m.createRenderPool(options);
      } catch (e) {
        pool = undefined; // tried again at the next document (bwrap may be installed meanwhile)
        if (e instanceof m.SandboxUnavailableError) throw new RenderUnavailableError(e.message);
        throw e;
      }
    });
    return pool;
  };
  const faxDecoder = () => {
    decoder ??= createFaxDecoder({ threads: opts.decodeThreads, timeoutMs: opts.decodeTimeoutMs });
    return decoder;
  };

  return {
    sandbox: mode,
    stats: () => ({ decodeThreads: decoder?.stats().threads ?? 0, renderPool: pool !== undefined }),
    budgetCheck() {
      const counter = new BudgetCounter(budget);
      return (file) => {
        planSubmission([file], counter);
      };
    },
    async load(files, resolution, cover, damaged) {
      const counter = new BudgetCounter(budget);
      // Every fax file is counted before the first one is decoded.
      const plan = planSubmission(files, counter, cover ? 1 : 0);
      // Documents render side by side but are counted in the submission's order, with a page
      // limit fixed before any of them ran: whichever finishes first, the file named when the
      // budget runs out is always the same one.
      const pageLimit = Math.max(1, counter.pagesLeft);
      const loadOne = async (file: DocumentFile, scan: FaxFileScan | undefined, before: Promise<unknown>) => {
        try {
          const pages = await decodeOrRender(file, scan);
          await before.catch(() => {}); // the files before this one are counted first
          if (!scan) counter.add(file.name, pages.length, pixelsOf(pages));
          return pages;
        } catch (e) {
          if (e instanceof DocumentInputError) throw e;
          // The renderer counts a document's pages before drawing one: over the budget's rest.
          if (e instanceof RenderLimitError && e.limit === 'pages')
            throw new BudgetExceededError(
              file.name,
              `${(e as Error).message} (the rest of this submission's budget)`,
            );
          if (isInputProblem(e)) throw new DocumentInputError(file.name, e.message);
          throw e;
        }
      };
      const decodeOrRender = async (
        file: DocumentFile,
        scan: FaxFileScan | undefined,
      ): Promise<BilevelPage[]> => {
        if (scan?.bilevel) {
          try {
            return await faxDecoder().decode(file.data, {
              resolution,
              limits: { maxPages: scan.pages, maxTotalBytes: Math.ceil(scan.pixels / 8) + scan.pages * 8 },
            });
          } catch (e) {
            // A TIFF the fax reader does not take (an odd photometric, tiles) may be an image.
            if (!(scan.format === 'tiff' && e instanceof FaxDecodeError)) throw e;
          }
        }
        const pool = await renderPool();
        return (
          await pool.render(
            file.data,
            { resolution: resolution ?? 'fine' },
            { pages: pageLimit + (scan?.pages ?? 0) },
          )
        ).pages;
      };
      let counted: Promise<unknown> = Promise.resolve();
      const perFile = await Promise.all(
        plan.map(({ file, scan }) => {
          const before = counted;
          const loaded = loadOne(file, scan, before);
          counted = loaded;
          return loaded;
        }),
      );
      const pages: BilevelPage[] = [];
      plan.forEach(({ file }, i) => {
        if (perFile[i].length === 0) throw new DocumentInputError(file.name, 'the document has no pages');
        for (const p of perFile[i] as DecodedFaxPage[]) {
          // numbered as sent: a cover page goes in front
          if (p.quality && damaged)
            damaged.push(
              pageDamage(pages.length + 1 + (cover ? 1 : 0), file.name, p.quality.rows, p.quality),
            );
          pages.push(p);
        }
      });
      if (cover) {
        // Drawn here from the submitter's own text with the bundled font: no file is parsed.
        const { renderCover } = await import('@faxgate/fax-core/render');
        const res = resolution === 'standard' ? 'standard' : 'fine';
        pages.unshift(renderCover(cover, pages.length + 1, res));
      }
      return pages;
    },
    async close() {
      const p = pool;
      pool = undefined;
      const d = decoder;
      decoder = undefined;
      await Promise.all([
        d?.close(),
        p?.then(
          (x) => x.close(),
          () => {},
        ),
      ]);
    },
  };
}

function pixelsOf(pages: readonly BilevelPage[]): number {
  return pages.reduce((s, p) => s + p.width * p.height, 0);
}
