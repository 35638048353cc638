// The files given to `faxgate send` → fax pages (documents/load-pages.ts), with the CLI's
// errors: an unreadable or unsendable file is bad input (exit 2). The render pool, when a
// file needs one, lives for this one call.
import { readFileSync } from 'node:fs';
import type { BilevelPage, VerticalResolution } from '@faxgate/fax-core';
import type { CoverPageOptions } from '@faxgate/fax-core/render';
import { createDocumentLoader, DocumentInputError } from '../../documents/load-pages.js';
import { CliError } from '../errors.js';

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

export async function loadPages(
  files: readonly string[],
  resolution: VerticalResolution | undefined,
  cover?: CoverPageOptions,
): Promise<BilevelPage[]> {
  const loader = createDocumentLoader({ workers: 1 });
  try {
    return await loader.load(
      files.map((name) => ({ name, data: readInput(name) })),
      resolution,
      cover,
    );
  } catch (e) {
    if (e instanceof DocumentInputError) throw new CliError(e.message, 2);
    throw e;
  } finally {
    await loader.close();
  }
}
