/**
 * What the channel accounts API (`/api/channel-accounts`) answers (a type-only module:
 * docs/architecture.md, "API types").
 */

/** An account as an administrator sees it (list, get, create, change): which secrets are set, never their values. */
export interface ChannelAccountView {
  id: number;
  comuneId: number;
  channel: string;
  label: string;
  config: Record<string, unknown>;
  secretsSet: string[];
  enabled: boolean;
  createdAt: string;
  /** Where the provider must send its webhooks (WhatsApp Cloud API, Telegram). */
  webhookUrl: string | null;
  /** What the channel did when the account was saved (e.g. Telegram's setWebhook). */
  connection?: { ok: boolean; detail: string };
}
