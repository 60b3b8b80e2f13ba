import { Resvg } from '@resvg/resvg-js';

/**
 * An SVG chart as PNG (Slack shows images, not SVG). System fonts are loaded once by resvg; the
 * charts name DejaVu Sans first (Debian's default), so text renders the same on every machine we run on.
 */
export function svgToPng(svg: string): { png: Buffer; width: number; height: number } {
  const image = new Resvg(svg, {
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  }).render();
  return { png: image.asPng(), width: image.width, height: image.height };
}
