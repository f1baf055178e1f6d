/**
 * Rows as RFC 4180 CSV, nested objects flattened to "a.b" columns. Text starting with = + - @
 * is prefixed with an apostrophe so a spreadsheet never runs it as a formula (category names and
 * comments come from users).
 */
export function toCsv(rows: Array<Record<string, unknown>>): string {
  const flat = rows.map((r) => flatten(r));
  const headers: string[] = [];
  for (const r of flat) for (const k of Object.keys(r)) if (!headers.includes(k)) headers.push(k);
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [headers.join(','), ...flat.map((r) => headers.map((h) => cell(r[h])).join(','))].join('\r\n') + '\r\n';
}

function flatten(o: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = v;
  }
  return out;
}
