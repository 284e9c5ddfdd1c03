/**
 * A plain-text table for people: a header row, then rows, columns padded to the widest cell.
 * No borders, so output pastes cleanly into issues and greps well.
 */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
