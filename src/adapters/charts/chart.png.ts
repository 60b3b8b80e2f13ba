import { createRequire } from 'node:module';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';

// resvg is a native addon (~4 MB library, ~10 MB resident once loaded) that only the insights poster uses:
// load it at the first chart, not at start. It is CommonJS, so require keeps svgToPng synchronous.
const require = createRequire(import.meta.url);
let Resvg: typeof ResvgClass | undefined;

/**
 * An SVG chart as PNG (Slack shows images, not SVG). System fonts are loaded once by resvg; the
 * charts name DejaVu Sans first (Debian's default), so text renders the same on every machine we run on.
 */
export function svgToPng(svg: string): { png: Buffer; width: number; height: number } {
  Resvg ??= (require('@resvg/resvg-js') as typeof import('@resvg/resvg-js')).Resvg;
  const image = new Resvg(svg, {
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  }).render();
  return { png: image.asPng(), width: image.width, height: image.height };
}
