/**
 * A channel address as the personal area shows it: enough to recognise it, not enough to read it
 * off a shoulder. `12:393401234567` (WhatsApp) → `+39 340 ••• 4567`; `maria.rossi@example.it` →
 * `ma•••@example.it`; a Telegram chat → `chat Telegram ••• 001`.
 */
export function maskAddress(channel: string, address: string): string {
  if (channel === 'email' || channel === 'portal') return maskEmail(address.replace(/^mailto:/, ''));
  if (channel === 'whatsapp' || channel === 'whatsapp-web') {
    const digits = phoneDigitsOf(address);
    if (!digits) return '•••';
    return digits.startsWith('39') && digits.length >= 9
      ? `+39 ${digits.slice(2, 5)} ••• ${digits.slice(-4)}`
      : `+${digits.slice(0, 2)} ••• ${digits.slice(-4)}`;
  }
  if (channel === 'telegram') return `chat Telegram ••• ${address.split(':').pop()!.slice(-3)}`;
  return '•••';
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${email.slice(0, Math.min(2, at))}•••${email.slice(at)}`;
}

/** The phone number's digits of a WhatsApp identity (`<account>:<wa_id>`, whatsapp-web `<account>:<number>@c.us`). */
export function phoneDigitsOf(address: string): string | null {
  const id = address.includes(':') ? address.slice(address.indexOf(':') + 1) : address;
  const digits = id.split('@')[0];
  return /^\d{6,15}$/.test(digits) ? digits : null;
}
