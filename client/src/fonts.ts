/**
 * The one CJK font (Noto Sans SC, 10 MB, self-hosted so Chinese shows with no network and no system
 * font) is downloaded once per page and used twice: by the panels, as the face `Noto Sans SC UI`, and
 * by the map's labels (map/controller.ts hands the same bytes to MapLibre). Before issue 9 #14 the
 * panels' CSS @font-face and MapLibre each fetched the file, so every start paid for it twice.
 * index.html preloads the file as `fetch`, which this download takes over.
 */
export const CJK_FONT_URL = '/fonts/NotoSansSC-Regular.ttf';

/** The panels' face; its range leaves every Latin letter to the system font. */
const PANEL_FACE = 'Noto Sans SC UI';
const PANEL_RANGE = 'U+2000-206F, U+3000-303F, U+3400-9FFF, U+F900-FAFF, U+FF00-FFEF';

let download: Promise<ArrayBuffer> | null = null;

/** The font file's bytes, fetched on the first call (the preload's response) and shared after. */
export function cjkFontBytes(): Promise<ArrayBuffer> {
  download ??= fetch(CJK_FONT_URL).then((r) => {
    if (!r.ok) throw new Error(`GET ${CJK_FONT_URL}: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  return download;
}

/** Registers the panels' face from the shared bytes (until it is there, text shows in the system font). */
export async function loadPanelFont(): Promise<void> {
  try {
    const face = new FontFace(PANEL_FACE, (await cjkFontBytes()).slice(0), {
      unicodeRange: PANEL_RANGE,
      display: 'swap',
    });
    document.fonts.add(face);
    await face.load();
  } catch (e) {
    console.warn('the CJK font did not load:', (e as Error).message);
  }
}
