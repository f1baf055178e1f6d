import { HttpException } from '@nestjs/common';
import { normalizeContact } from '../../common/contacts.js';
import { sniffContentType } from '../../storage/storage.js';
import type { PortalSubmission } from '../../channels/portal/portal-normalize.js';

/** A 4xx answer naming the field (or the file) at fault, in Italian. */
export function fieldError(status: 400 | 404 | 409 | 413 | 415 | 422, field: string, message: string): HttpException {
  return new HttpException({ statusCode: status, message: `${field}: ${message}`, fields: [{ field, message }] }, status);
}

export const MAX_PHOTOS = 3;
export const MAX_DOCUMENTS = 3;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
export const DOCUMENT_TYPES = ['application/pdf'];
export const MAX_DESCRIPTION = 4000;

/** The fields of a web form, checked: what the channel's normalizer needs besides the comune, the kind and the files. */
export type CheckedSubmission = Omit<PortalSubmission, 'comuneId' | 'kind' | 'attachments'>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined);

function bool(v: unknown): boolean | undefined {
  if (v === true || v === 'true' || v === 'on' || v === '1') return true;
  if (v === false || v === 'false' || v === '0') return false;
  return undefined;
}

function coordinate(v: unknown, field: string, min: number, max: number): number | undefined {
  const s = text(v);
  if (s === undefined || s === '') return undefined;
  const n = Number(s.replace(',', '.'));
  if (!Number.isFinite(n) || n < min || n > max) throw fieldError(400, field, `deve essere un numero tra ${min} e ${max}`);
  return n;
}

/** E-mail address, lower case; refused (400 naming the field) when it does not look like one. */
export function checkEmail(v: unknown, field = 'email'): string {
  const s = text(v);
  if (!s) throw fieldError(400, field, 'è obbligatorio');
  const c = s.length <= 254 ? normalizeContact(s) : null;
  if (c?.kind !== 'email') throw fieldError(400, field, 'non è un indirizzo e-mail valido');
  return c.value;
}

/**
 * The text fields of a report or request form (multipart fields arrive as strings, JSON as their
 * own types). `categories`: the codes the comune offers for this kind of form.
 */
export function checkSubmission(body: Record<string, unknown>, kind: 'report' | 'request', categories: string[]): CheckedSubmission {
  const submissionId = text(body.submissionId);
  if (!submissionId) throw fieldError(400, 'submissionId', 'è obbligatorio');
  if (!/^[A-Za-z0-9_-]{8,100}$/.test(submissionId))
    throw fieldError(400, 'submissionId', 'deve avere da 8 a 100 caratteri tra lettere, cifre, - e _');
  if (bool(body.privacyConsent) !== true)
    throw fieldError(400, 'privacyConsent', 'occorre accettare l’informativa sul trattamento dei dati personali');

  const category = text(body.category) || null;
  if (kind === 'report' && !category) throw fieldError(400, 'category', 'è obbligatoria: scegliere il tipo di disservizio');
  if (category && !categories.includes(category)) throw fieldError(400, 'category', `deve essere una di: ${categories.join(', ')}`);

  const lat = coordinate(body.lat, 'lat', -90, 90);
  const lng = coordinate(body.lon, 'lon', -180, 180);
  if ((lat === undefined) !== (lng === undefined))
    throw fieldError(400, 'location', 'indicare sia la latitudine (lat) sia la longitudine (lon)');
  const address = text(body.address) || null;
  if (address && address.length > 300) throw fieldError(400, 'address', 'può avere al massimo 300 caratteri');
  if (kind === 'report' && lat === undefined && !address)
    throw fieldError(400, 'location', 'indicare il punto sulla mappa oppure l’indirizzo del disservizio');

  const description = text(body.description);
  if (!description) throw fieldError(400, 'description', 'è obbligatoria: descrivere il problema');
  if (description.length > MAX_DESCRIPTION) throw fieldError(400, 'description', `può avere al massimo ${MAX_DESCRIPTION} caratteri`);

  const name = text(body.name) || null;
  if (name && name.length > 120) throw fieldError(400, 'name', 'può avere al massimo 120 caratteri');
  const email = checkEmail(body.email);
  const rawPhone = text(body.phone) || null;
  let phone: string | null = null;
  if (rawPhone) {
    const c = normalizeContact(rawPhone);
    if (c?.kind !== 'phone') throw fieldError(400, 'phone', 'non è un numero di telefono valido');
    phone = c.value;
  }
  const updates = body.updatesConsent === undefined || body.updatesConsent === '' ? true : bool(body.updatesConsent);
  if (updates === undefined) throw fieldError(400, 'updatesConsent', 'deve essere true o false');
  return {
    submissionId,
    category,
    location: lat !== undefined && lng !== undefined ? { lat, lng } : null,
    address,
    description,
    name,
    email,
    phone,
    updatesConsent: updates,
  };
}

/** A file of the form as multer keeps it in memory. */
export interface UploadedFile {
  fieldname: string;
  originalname: string;
  size: number;
  buffer: Buffer;
}

export interface CheckedFile {
  bytes: Buffer;
  filename: string;
  contentType: string;
}

/**
 * Photos and documents, judged by their bytes (a renamed .exe is not a photo): 400 for too many or
 * an unknown field, 413 for a file too large, 415 for a wrong type — each naming the file.
 */
export function checkFiles(files: UploadedFile[], limits: { photoBytes: number; documentBytes: number }): CheckedFile[] {
  const unknown = files.find((f) => f.fieldname !== 'photos' && f.fieldname !== 'documents');
  if (unknown) throw fieldError(400, unknown.fieldname, 'campo non previsto: i file vanno in "photos" (foto) o "documents" (PDF)');
  const photos = files.filter((f) => f.fieldname === 'photos');
  const documents = files.filter((f) => f.fieldname === 'documents');
  if (photos.length > MAX_PHOTOS) throw fieldError(400, 'photos', `si possono allegare al massimo ${MAX_PHOTOS} foto`);
  if (documents.length > MAX_DOCUMENTS) throw fieldError(400, 'documents', `si possono allegare al massimo ${MAX_DOCUMENTS} documenti`);
  const out: CheckedFile[] = [];
  for (const f of [...photos, ...documents]) {
    const isPhoto = f.fieldname === 'photos';
    const name = safeFilename(f.originalname);
    const limit = isPhoto ? limits.photoBytes : limits.documentBytes;
    if (f.size > limit) throw fieldError(413, name, `il file «${name}» supera ${Math.floor(limit / (1024 * 1024))} MB`);
    const kind = sniffContentType(f.buffer);
    const allowed = isPhoto ? PHOTO_TYPES : DOCUMENT_TYPES;
    if (!kind || !allowed.includes(kind.type))
      throw fieldError(
        415,
        name,
        isPhoto ? `il file «${name}» non è una foto JPEG, PNG o WebP` : `il file «${name}» non è un documento PDF`,
      );
    out.push({ bytes: f.buffer, filename: name, contentType: kind.type });
  }
  return out;
}

export function safeFilename(name: string): string {
  const clean = (name || 'file').replace(/[^\w.\- ]/g, '_').slice(0, 200);
  return clean || 'file';
}
