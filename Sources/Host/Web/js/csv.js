// CSV reading (RFC 4180) and writing for the rejected-rows download.

/**
 * Parses CSV text into records, each `{line, cells}` where `line` is the 1-based
 * physical line the record starts on (quoted fields may span lines). A BOM is dropped.
 */
export function parseCSV(text) {
  const records = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let cells = [];
  let cell = '';
  let start = 1;
  let quoted = false;
  let any = false;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line += 1;
        cell += c;
      }
      i += 1;
      continue;
    }
    if (c === '"') {
      quoted = true;
      any = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      any = true;
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      if (any || cell !== '') {
        cells.push(cell);
        records.push({ line: start, cells });
      }
      cells = [];
      cell = '';
      any = false;
      line += 1;
      start = line;
    } else {
      cell += c;
      any = true;
    }
    i += 1;
  }
  if (any || cell !== '') {
    cells.push(cell);
    records.push({ line: start, cells });
  }
  return records;
}

/**
 * One CSV cell. A value starting with `=`, `+`, `-`, `@` (or a tab or carriage return)
 * gets a leading `'` so a spreadsheet shows it instead of running it as a formula.
 */
export function csvCell(value) {
  let v = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(v)) v = "'" + v;
  return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
}

/** Rows of cells as CSV text with CRLF line ends. */
export function toCSV(rows) {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * The rejected rows of an upload, like `sluice import --errors`: row, line, reason,
 * then the row's own values found in the uploaded file by line.
 */
export function rejectedRowsCSV(fileText, errors) {
  const records = fileText === null ? [] : parseCSV(fileText);
  const header = records.length ? records[0].cells : [];
  const byLine = new Map(records.slice(1).map((r) => [r.line, r.cells]));
  const rows = [['row', 'line', 'reason', ...header]];
  for (const e of errors) {
    rows.push([e.row, e.line, e.message, ...(byLine.get(e.line) || [])]);
  }
  return toCSV(rows);
}
