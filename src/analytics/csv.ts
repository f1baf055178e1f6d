/**
 * Rows as RFC 4180 CSV, nested objects flattened to "a.b" columns. Text starting with = + - @
 * is prefixed with an apostrophe so a spreadsheet never runs it as a formula (category names and
 * comments come from users). Written for tens of thousands of rows (the open data export): rows
 * without nested objects are not copied, and numbers are written as they are.
 */
export function toCsv(rows: Array<Record<string, unknown>>): string {
  const flat = rows.map((r) => (isFlat(r) ? r : flatten(r)));
  const headers: string[] = [];
  const seen = new Set<string>();
  for (const r of flat)
    for (const k of Object.keys(r))
      if (!seen.has(k)) {
        seen.add(k);
        headers.push(k);
      }
  const lines = new Array<string>(flat.length + 1);
  lines[0] = headers.join(',');
  for (let i = 0; i < flat.length; i++) {
    const r = flat[i];
    let line = '';
    for (let j = 0; j < headers.length; j++) line += (j ? ',' : '') + cell(r[headers[j]]);
    lines[i + 1] = line;
  }
  return lines.join('\r\n') + '\r\n';
}

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);
const NEEDS_QUOTES = /[",\r\n]/;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v === 'string' && FORMULA_START.has(s.charAt(0))) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function nested(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function isFlat(o: Record<string, unknown>): boolean {
  for (const k of Object.keys(o)) if (nested(o[k])) return false;
  return true;
}

function flatten(o: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (nested(v)) Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = v;
  }
  return out;
}
