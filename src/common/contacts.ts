/** A contact as the citizen typed it, reduced to an e-mail address or a phone number; null when it is neither. */
export function normalizeContact(raw: string): { kind: 'email' | 'phone'; value: string } | null {
  const s = raw.trim();
  if (/^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/.test(s)) return { kind: 'email', value: s.toLowerCase() };
  const digits = s.replace(/[\s./()-]/g, '');
  if (/^\+?\d{6,15}$/.test(digits)) {
    const value = digits.startsWith('+') ? digits : digits.startsWith('00') ? `+${digits.slice(2)}` : `+39${digits}`;
    return { kind: 'phone', value };
  }
  return null;
}
