/**
 * Text encodings of attribute data: UTF-8 (with or without BOM) or, from Chinese Windows, GBK /
 * GB18030 (GB18030 decodes every GBK byte sequence the same way, so it stands for both).
 */

/** Normalises a user's or a .cpg's name: utf8/UTF-8/65001 → utf-8; gbk/936/cp936/gb2312 → gb18030. */
export function normaliseEncoding(name: string): string | null {
  const k = name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');
  if (['utf8', '65001', 'unicode'].includes(k)) return 'utf-8';
  if (['gbk', 'gb2312', 'gb18030', '936', 'cp936', 'ansi936', 'euccn', 'windows936', '54936'].includes(k))
    return 'gb18030';
  if (['latin1', 'iso88591', '88591', '1252', 'cp1252', 'windows1252', 'ansi1252'].includes(k))
    return 'windows-1252';
  try {
    new TextDecoder(k);
    return k;
  } catch {
    return null;
  }
}

/**
 * The encoding of a sample of text bytes: a UTF-8 BOM or valid UTF-8 → utf-8, else gb18030 (what a
 * Chinese Windows writes as "ANSI"), also for valid UTF-8 of mostly two-byte characters that reads
 * as GBK. A multi-byte character cut at the sample's end is not held against UTF-8. Pure ASCII is
 * UTF-8.
 */
export function detectEncoding(sample: Uint8Array, complete = false): string {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  let end = sample.length;
  if (!complete) {
    // Drop an incomplete trailing UTF-8 sequence (up to 3 bytes).
    for (let k = 1; k <= 3 && end - k >= 0; k++) {
      const b = sample[end - k]!;
      if ((b & 0xc0) === 0xc0) {
        end -= k;
        break;
      }
      if ((b & 0x80) === 0) break;
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
  } catch {
    return 'gb18030';
  }
  const { wide, narrow, odd } = charWidths(text);
  // Valid UTF-8 of mostly two-byte characters, some of them none a UTF-8 file of this city would
  // hold (¥, Greek, Cyrillic …), is GBK that happens to be valid UTF-8: 楼 in GBK is C2 A5, ¥ in
  // UTF-8. A degree sign or an accented letter (90°, Café) stays UTF-8.
  if (odd > 0 && wide < narrow && !new TextDecoder('gb18030').decode(sample).slice(0, -1).includes('\ufffd'))
    return 'gb18030';
  return 'utf-8';
}

/** Two-byte characters a UTF-8 file plausibly holds: Latin-1 signs (° ± · ²…, not ¥ ¤) and Latin letters. */
const plausible = (c: number) => c >= 0xa0 && c <= 0x17f && c !== 0xa4 && c !== 0xa5;

/**
 * Characters beyond ASCII: of three or four bytes in UTF-8 (U+0800 on: CJK …), of two, and of those
 * two-byte ones the odd (not plausible in a UTF-8 file here).
 */
function charWidths(text: string): { wide: number; narrow: number; odd: number } {
  let wide = 0;
  let narrow = 0;
  let odd = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x800 && c !== 0xfffd) wide++;
    else if (c >= 0x80) {
      narrow++;
      if (!plausible(c)) odd++;
    }
  }
  return { wide, narrow, odd };
}

/**
 * Whether bytes read as Chinese in UTF-8: valid, with characters beyond ASCII of three bytes at
 * least as often as of two. GBK text is seldom valid UTF-8, and when it is, as two-byte characters.
 */
export function utf8Chinese(bytes: Uint8Array): boolean {
  const { wide, narrow } = charWidths(new TextDecoder('utf-8').decode(bytes));
  return wide > 0 && wide >= narrow;
}

/**
 * A whole text file's bytes as text: in `encoding` when given (a user's name for it, null when it is
 * no encoding), else as detected (UTF-8, or GB18030 for what Chinese Windows writes).
 */
export function decodeFile(bytes: Uint8Array, encoding?: string): string | null {
  const given = encoding === undefined ? undefined : normaliseEncoding(encoding);
  if (given === null) return null;
  return new TextDecoder(given ?? detectEncoding(bytes, true)).decode(bytes);
}
