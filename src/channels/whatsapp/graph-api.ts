/**
 * The part of Meta's Graph API the WhatsApp Cloud API channel uses: send a message, upload and
 * download media. Errors keep Meta's error object (`code`, `error_subcode`, `error_data.details`).
 */
export class GraphApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
    readonly details: string | null,
  ) {
    super(message);
    this.name = 'GraphApiError';
  }
}

export class GraphApi {
  constructor(
    private readonly baseUrl: string,
    private readonly accessToken: string,
  ) {}

  async sendMessage(phoneNumberId: string, body: Record<string, unknown>): Promise<{ wamid: string }> {
    const res = await this.call(`${this.baseUrl}/${phoneNumberId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', ...body }),
    });
    const json = (await res.json()) as { messages?: Array<{ id: string }> };
    const wamid = json.messages?.[0]?.id;
    if (!wamid) throw new GraphApiError(res.status, null, 'the Graph API answered without a message id', null);
    return { wamid };
  }

  async uploadMedia(phoneNumberId: string, bytes: Buffer, filename: string, contentType: string): Promise<string> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', contentType);
    form.set('file', new Blob([new Uint8Array(bytes)], { type: contentType }), filename);
    const res = await this.call(`${this.baseUrl}/${phoneNumberId}/media`, { method: 'POST', body: form });
    const json = (await res.json()) as { id?: string };
    if (!json.id) throw new GraphApiError(res.status, null, 'the Graph API answered without a media id', null);
    return json.id;
  }

  /** Media metadata (a short-lived URL), then the bytes from that URL with the same token. */
  async mediaInfo(mediaId: string): Promise<{ url: string; mime_type?: string; file_size?: number }> {
    const res = await this.call(`${this.baseUrl}/${encodeURIComponent(mediaId)}`, { method: 'GET' });
    return (await res.json()) as { url: string; mime_type?: string; file_size?: number };
  }

  async download(url: string): Promise<Response> {
    return this.call(url, { method: 'GET' });
  }

  private async call(url: string, init: RequestInit): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${this.accessToken}` },
      signal: AbortSignal.timeout(30_000),
    });
    if (res.ok) return res;
    let code: number | null = null;
    let message = `Graph API answered ${res.status}`;
    let details: string | null = null;
    try {
      const body = (await res.json()) as { error?: { code?: number; message?: string; error_data?: { details?: string } } };
      code = body.error?.code ?? null;
      message = body.error?.message ?? message;
      details = body.error?.error_data?.details ?? null;
    } catch {
      /* not JSON */
    }
    throw new GraphApiError(res.status, code, message, details);
  }
}
