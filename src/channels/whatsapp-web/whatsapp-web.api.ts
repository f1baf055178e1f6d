/** What the WhatsApp Web pairing route answers (a type-only module: docs/architecture.md, "API types"). */

export type PairingState = 'starting' | 'qr' | 'authenticated' | 'ready' | 'auth_failure' | 'disconnected' | 'stopped';

/** A session's pairing state, as the worker records it. */
export interface Pairing {
  state: PairingState;
  qr: string | null;
  detail: string | null;
  updatedAt: string;
}

/** `GET /api/channel-accounts/:id/pairing`: the state, and the QR code to scan (text and PNG data URL) while pairing is needed. */
export interface PairingView {
  state: PairingState | 'not_applicable';
  qr: string | null;
  qrImage: string | null;
  detail: string | null;
  updatedAt?: string;
}
