/**
 * The personal area's settings, as types only (src/portal/settings answers them, portal/src/settings
 * imports them with `import type`): linked channels, notification preferences, consents.
 */

// ── Linked channels (/api/portal/v1/me/links, src/portal/identity/links.ts) ────────────────────

export type LinkChannel = 'whatsapp' | 'telegram' | 'email';

/** GET /api/portal/v1/me/links: one linked channel identity. */
export interface LinkedChannel {
  id: string;
  /** The identity's channel: whatsapp, whatsapp-web, telegram, email, portal. */
  channel: string;
  /** The registry's address (`<account>:<wa_id>`, `<bot>:<chat>`, an e-mail address, `mailto:…` for the portal). */
  address: string;
  /** The address as the personal area shows it, masked: `+39 340 ••• 4567`, `ma•••@example.it`, `chat Telegram ••• 001`. */
  display: string;
  linkedAt: string;
}

/** POST /api/portal/v1/me/links { channel } → 201. */
export interface LinkCodeRequest {
  channel: LinkChannel;
}
export interface LinkCode {
  code: string;
  expiresAt: string;
  /** What to do, in Italian, without naming a comune's address (see the destinations). */
  instructions: string;
}

/**
 * GET /api/portal/v1/me/links/destinations: where the code can be sent — each comune's active
 * WhatsApp number, Telegram bot and URP mailbox (public contacts of the comune).
 */
export interface LinkDestination {
  channel: LinkChannel;
  comune: { name: string; slug: string };
  /** `+39 080 5771111`, `@urp_bari_bot`, `urp@bari.demo`. */
  address: string;
  /** A link that opens the chat or the mail (wa.me, t.me, mailto:), the code's text filled in by the portal. */
  url: string;
}
export interface LinkDestinationsResponse {
  destinations: LinkDestination[];
}

// ── Notification preferences (/api/portal/v1/me/notifications) ────────────────────────────────

/** What a notice is about: updates on my cases, operators' replies, the comune's notices, appointment reminders. */
export type NotificationPurpose = 'updates' | 'replies' | 'announcements' | 'reminders';
/** `io`: the IO app (not yet configured on Sportello); `none`: no notice of that kind. */
export type NotificationChannel = 'email' | 'whatsapp' | 'telegram' | 'io' | 'none';

export interface NotificationChannelOption {
  channel: NotificationChannel;
  available: boolean;
  /** Where it would arrive, masked (`+39 340 ••• 4567`, `ma•••@example.it`); null for `none`. */
  address: string | null;
  /** Why it is not available, in Italian (`Collega prima un numero WhatsApp`). */
  reason: string | null;
}

export interface NotificationPreference {
  purpose: NotificationPurpose;
  /** null: no choice made (the comune's usual way: the channel the case came from, or the contact left with consent). */
  channel: NotificationChannel | null;
  updatedAt: string | null;
}

/** GET /api/portal/v1/me/notifications */
export interface NotificationSettings {
  preferences: NotificationPreference[];
  channels: NotificationChannelOption[];
}

/**
 * PUT /api/portal/v1/me/notifications `{ preferences: { updates: 'whatsapp', replies: null } }`:
 * the purposes named are set (null clears the choice), the others stay; answers the settings.
 */
export interface NotificationSettingsUpdate {
  preferences: Partial<Record<NotificationPurpose, NotificationChannel | null>>;
}

// ── Consents (/api/portal/v1/me/consents) ─────────────────────────────────────────────────────

export type ConsentPurpose = 'privacy' | 'updates';

/** A consent the citizen gave to a comune (on one of their requests), and its withdrawal if any. */
export interface MyConsent {
  id: string;
  purpose: ConsentPurpose;
  comune: { name: string; slug: string };
  /** The channel or form it was given on: portal, webchat, phone, desk, … */
  source: string;
  /** The contact left for updates, as typed. */
  contact: string | null;
  /** The case it was given with. */
  reference: string | null;
  grantedAt: string;
  withdrawnAt: string | null;
  /** Whether the citizen can withdraw it here (the privacy notice of a request is not withdrawn: its data are kept by law). */
  withdrawable: boolean;
}

export interface MyConsentsResponse {
  consents: MyConsent[];
}

/** POST /api/portal/v1/me/consents/:id/withdraw → 200 with the consent as it is now. */
export type WithdrawConsentResponse = MyConsent;
