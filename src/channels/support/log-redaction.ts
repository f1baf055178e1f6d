/**
 * What the HTTP request log must never show of the channels' secrets: the WhatsApp webhook
 * verification token travels in the query string (`hub.verify_token`), the web-chat session token
 * in a header (`X-Webchat-Session`); other channels' secrets in headers are listed too.
 */
export const SECRET_REQUEST_HEADERS = [
  'authorization',
  'cookie',
  'x-api-key',
  'x-telegram-bot-api-secret-token',
  'x-webchat-session',
  'x-hub-signature-256',
];

/** pino `redact` paths of those headers in a serialized request. */
export const REDACTED_HEADER_PATHS = SECRET_REQUEST_HEADERS.map((h) => `req.headers["${h}"]`);

/** Query parameters whose value is a secret: `hub.verify_token`, `token`, `sessionToken`, `access_token`, `secret`, `key`… */
const SECRET_PARAM = /(token|secret|password|passwd|(^|[._-])key$|session|signature)/i;

/** The URL with the value of every secret-looking query parameter replaced. */
export function redactUrl(url: unknown): unknown {
  if (typeof url !== 'string' || !url.includes('?')) return url;
  const q = url.indexOf('?');
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* kept as is */
      }
      return eq !== -1 && SECRET_PARAM.test(decoded) ? `${name}=[Redacted]` : pair;
    });
  return `${url.slice(0, q)}?${query.join('&')}`;
}

function redactQuery(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, SECRET_PARAM.test(k) ? '[Redacted]' : v]));
}

/**
 * pino-http `serializers.req`: receives the standard serialized request ({ method, url, query,
 * headers, … }) and hides secrets in the URL and query (headers are hidden by `redact` paths).
 */
export function redactRequestSecrets<T extends { url?: unknown; query?: unknown }>(req: T): T {
  // A fresh object made by pino-std-serializers for this log line: changing it leaves the request alone.
  req.url = redactUrl(req.url);
  if (req.query !== undefined) req.query = redactQuery(req.query);
  return req;
}
