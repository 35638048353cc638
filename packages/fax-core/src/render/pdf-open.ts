// Damage that PDFium's repair would hide. When a PDF's cross-reference table is missing or
// wrong, PDFium rebuilds it by scanning the objects, and opens what it finds: a scanner's
// PDF without xref or %%EOF renders fine. But an upload cut off in the middle opens too,
// with the pages or page content past the cut drawn blank. So a repaired file is read here
// once more, plainly: does it end inside an object (a stream without `endstream`, an object
// without `endobj`), and does every page of its page tree exist with its content? Objects
// inside object streams are not looked into; for those only the cut at the end is seen.

/** An object as the file holds it: the dictionary text (stream data left out). */
interface RawObject {
  dict: string;
  /** Byte offset of `N G obj`. */
  at: number;
}

interface Scan {
  objects: Map<number, RawObject>;
  /** The object the file ends inside, if any. */
  cut: { obj: number; at: number; inStream: boolean } | null;
  /** Whether objects hide in object streams (then a missing number may be there). */
  objectStreams: boolean;
}

const TOKEN = /(\d+)\s+(\d+)\s+obj\b|\bendobj\b|\bstream(?:\r\n|\n|\r)/g;

function scan(text: string): Scan {
  const objects = new Map<number, RawObject>();
  let open: { num: number; at: number; dictEnd: number } | null = null;
  let cut: Scan['cut'] = null;
  const close = (end: number) => {
    if (!open) return;
    // A later revision (incremental update) replaces an earlier one, as in PDFium.
    objects.set(open.num, { dict: text.slice(open.at, Math.min(end, open.dictEnd)), at: open.at });
    open = null;
  };
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    if (m[1] !== undefined) {
      close(m.index); // an object without endobj ends where the next begins
      open = { num: Number(m[1]), at: m.index, dictEnd: Number.POSITIVE_INFINITY };
    } else if (m[0] === 'endobj') {
      close(m.index);
    } else if (open) {
      open.dictEnd = m.index;
      const end = text.indexOf('endstream', TOKEN.lastIndex);
      if (end < 0) {
        cut = { obj: open.num, at: open.at, inStream: true };
        open = null;
        break;
      }
      TOKEN.lastIndex = end + 9;
    }
  }
  if (open) {
    const o: { num: number; at: number } = open;
    cut = { obj: o.num, at: o.at, inStream: false };
  }
  return { objects, cut, objectStreams: /\/Type\s*\/ObjStm\b/.test(text) };
}

const refs = (s: string): number[] => Array.from(s.matchAll(/(\d+)\s+\d+\s+R\b/g), (m) => Number(m[1]));

function isType(dict: string, type: string): boolean {
  return new RegExp(`/Type\\s*/${type}(?![A-Za-z0-9])`).test(dict);
}

/** Page object numbers in page-tree order, or null when the tree cannot be followed. */
function pageTree(s: Scan, text: string): { pages: number[]; missing: number[] } | null {
  const trailerRoot = Array.from(text.matchAll(/\/Root\s+(\d+)\s+\d+\s+R/g)).pop();
  let catalog = trailerRoot ? s.objects.get(Number(trailerRoot[1])) : undefined;
  if (!catalog || !isType(catalog.dict, 'Catalog'))
    catalog = [...s.objects.values()].filter((o) => isType(o.dict, 'Catalog')).pop();
  const root = catalog?.dict.match(/\/Pages\s+(\d+)\s+\d+\s+R/);
  if (!root) return null;
  const pages: number[] = [];
  const missing: number[] = [];
  const seen = new Set<number>();
  const walk = (num: number, depth: number): boolean => {
    if (seen.has(num) || depth > 64 || pages.length > 100_000) return false;
    seen.add(num);
    const o = s.objects.get(num);
    if (!o) {
      if (s.objectStreams) return false; // may be compressed: cannot tell
      pages.push(num);
      missing.push(num); // a page or a subtree, lost either way
      return true;
    }
    const kids = o.dict.match(/\/Kids\s*\[([^\]]*)\]/);
    if (!kids) {
      pages.push(num);
      return true;
    }
    return refs(kids[1]).every((k) => walk(k, depth + 1));
  };
  return walk(Number(root[1]), 0) ? { pages, missing } : null;
}

/** The content streams a page dictionary names, or null when it names them indirectly. */
function contents(dict: string): number[] | null {
  const m = dict.match(/\/Contents\s*(?:(\d+)\s+\d+\s+R|\[([^\]]*)\])/);
  if (!m) return /\/Contents\b/.test(dict) ? null : [];
  return m[1] !== undefined ? [Number(m[1])] : refs(m[2]);
}

/**
 * Why a PDF whose cross-reference table PDFium had to rebuild is not complete, or null when
 * nothing is seen missing. `pageCount` is the number of pages PDFium found.
 */
export function repairedPdfDamage(bytes: Uint8Array, pageCount: number): string | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const s = scan(text);
  const tree = pageTree(s, text);
  if (tree) {
    const at = (i: number) => `page ${i + 1} of ${tree.pages.length}`;
    for (let i = 0; i < tree.pages.length; i++) {
      const num = tree.pages[i];
      if (s.cut?.obj === num) return `PDF is cut off inside ${at(i)} (object ${num})`;
      if (tree.missing.includes(num)) return `PDF is cut off: ${at(i)} (object ${num}) is missing`;
      const page = s.objects.get(num);
      for (const c of (page && contents(page.dict)) ?? []) {
        if (s.cut?.obj === c) return `PDF is cut off inside the content of ${at(i)} (object ${c})`;
        if (!s.objects.has(c) && !s.objectStreams)
          return `PDF is cut off: the content of ${at(i)} (object ${c}) is missing`;
      }
    }
    if (tree.pages.length > pageCount)
      return `PDF is damaged: its page tree lists ${tree.pages.length} pages, only ${pageCount} can be read`;
  }
  if (s.cut)
    return `PDF is cut off inside object ${s.cut.obj}${s.cut.inStream ? ' (a stream without its end)' : ''}, which begins at byte ${s.cut.at} of ${bytes.length}`;
  return null;
}
