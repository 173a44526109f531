import QRCode from 'qrcode';

/*
 * The otpauth:// URI of two-factor setup as a QR code, for the terminal and for tests. Drawn with
 * half blocks, two modules to a character cell, so a whole code (about 41 modules for a setup
 * URI) fits an 80x24 terminal with room for the text around it.
 */

/** The code's modules, row by row, `true` for dark. Error correction L keeps it small. */
export function qrMatrix(text: string): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'L' });
  const size = modules.size;
  return Array.from({ length: size }, (_, y) =>
    Array.from({ length: size }, (_, x) => modules.get(y, x) === 1),
  );
}

/** Light modules around the code: 2, half the standard 4, which phone cameras read well. */
export const QR_MARGIN = 2;

/**
 * The code as lines of half blocks. Light modules are drawn (the terminal's foreground), dark ones
 * left blank (its background), which reads right on the usual light-on-dark terminal.
 */
export function qrLines(text: string): string[] {
  const matrix = qrMatrix(text);
  const size = matrix.length + 2 * QR_MARGIN;
  const dark = (y: number, x: number): boolean => matrix[y - QR_MARGIN]?.[x - QR_MARGIN] ?? false;
  const lines: string[] = [];
  for (let y = 0; y < size; y += 2) {
    let line = '';
    for (let x = 0; x < size; x++) {
      const top = !dark(y, x);
      const bottom = y + 1 < size && !dark(y + 1, x);
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(line);
  }
  return lines;
}

/**
 * The modules back from lines drawn by qrLines (a screen capture, say): what a camera would see.
 * Lines that are not part of the drawing must already be cut off.
 */
export function matrixFromLines(lines: string[]): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of lines) {
    const cells = [...line];
    rows.push(cells.map((c) => c !== '█' && c !== '▀'));
    rows.push(cells.map((c) => c !== '█' && c !== '▄'));
  }
  return rows;
}
