// The QR code of an `otpauth://` URL as SVG path data. The console's CSP allows no
// inline style, so the code is drawn as an <svg> the page builds itself (no
// data: URL, no canvas sizing through script); qrcode-generator only computes the
// modules.

import qrcode from 'qrcode-generator';

/** The white border scanners need around the code, in modules (ISO/IEC 18004 asks for 4). */
export const QUIET_ZONE = 4;

/** The dark (true) and light modules of `text`'s QR code, row by row. */
export function qrModules(text: string): boolean[][] {
  // 'M' recovers from about 15% damage: plenty for a screen, and keeps the code small.
  const code = qrcode(0, 'M');
  code.addData(text, 'Byte');
  code.make();
  const size = code.getModuleCount();
  return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, col) => code.isDark(row, col)));
}

/**
 * SVG path data filling the dark modules, shifted by `margin`: one rectangle per
 * horizontal run of dark modules, so a code is a few hundred short commands
 * instead of thousands of <rect> elements.
 */
export function modulesPath(modules: readonly (readonly boolean[])[], margin: number): string {
  const commands: string[] = [];
  modules.forEach((cells, row) => {
    let col = 0;
    while (col < cells.length) {
      if (cells[col] !== true) {
        col += 1;
        continue;
      }
      const start = col;
      while (cells[col] === true) col += 1;
      commands.push(`M${start + margin} ${row + margin}h${col - start}v1h${start - col}z`);
    }
  });
  return commands.join('');
}
