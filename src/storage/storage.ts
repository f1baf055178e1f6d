import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/** Where attachment bytes live. Local disk by default; an object store can implement the same. */
export abstract class AttachmentStorage {
  abstract put(bytes: Buffer): Promise<string>;
  abstract get(key: string): Promise<Buffer>;
  /** Deletes the bytes (an erasure, a retention period). A key already gone is no error: a re-run repeats it. */
  abstract remove(key: string): Promise<void>;
}

/** Content-addressed files under STORAGE_DIR: storing the same bytes twice keeps one file. */
@Injectable()
export class LocalDiskStorage extends AttachmentStorage {
  private readonly root: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.root = resolve(config.storageDir);
  }

  async put(bytes: Buffer): Promise<string> {
    const hash = createHash('sha256').update(bytes).digest('hex');
    const key = `${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`;
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes, { flag: 'w' });
    return key;
  }

  async get(key: string): Promise<Buffer> {
    if (!/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)) throw new Error('invalid storage key');
    return readFile(join(this.root, key));
  }

  async remove(key: string): Promise<void> {
    // A key that is not one of ours names no file here.
    if (!/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)) return;
    await rm(join(this.root, key), { force: true });
  }
}

const SIGNATURES: Array<{ type: string; ext: string; test: (b: Buffer) => boolean }> = [
  { type: 'image/jpeg', ext: 'jpg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', ext: 'png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  {
    type: 'image/gif',
    ext: 'gif',
    test: (b) => b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a',
  },
  {
    type: 'image/webp',
    ext: 'webp',
    test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  { type: 'application/pdf', ext: 'pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  // OpenDocument: a ZIP whose first entry is the uncompressed "mimetype" file naming the format.
  {
    type: 'application/vnd.oasis.opendocument.text',
    ext: 'odt',
    test: (b) => odfMimetype(b) === 'application/vnd.oasis.opendocument.text',
  },
  {
    type: 'application/vnd.oasis.opendocument.spreadsheet',
    ext: 'ods',
    test: (b) => odfMimetype(b) === 'application/vnd.oasis.opendocument.spreadsheet',
  },
  // Office Open XML: a ZIP holding [Content_Types].xml and the part folder of its kind.
  { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx', test: (b) => ooxmlKind(b) === 'word/' },
  { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx', test: (b) => ooxmlKind(b) === 'xl/' },
  { type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', ext: 'pptx', test: (b) => ooxmlKind(b) === 'ppt/' },
  // A CAdES signed file (.p7m, what Italian digital signatures produce): DER SEQUENCE holding the signedData OID.
  { type: 'application/pkcs7-mime', ext: 'p7m', test: (b) => b[0] === 0x30 && b.subarray(0, 32).includes(PKCS7_SIGNED_DATA_OID) },
  // Voice notes and audio (WhatsApp and Telegram voice messages are Ogg/Opus).
  { type: 'audio/ogg', ext: 'ogg', test: (b) => b.subarray(0, 4).toString('latin1') === 'OggS' },
  {
    type: 'audio/mpeg',
    ext: 'mp3',
    test: (b) => b.subarray(0, 3).toString('latin1') === 'ID3' || (b.length > 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0),
  },
  { type: 'audio/amr', ext: 'amr', test: (b) => b.subarray(0, 5).toString('latin1') === '#!AMR' },
  // ISO base media ("ftyp" at offset 4): which one depends on the brand.
  { type: 'audio/mp4', ext: 'm4a', test: (b) => isoBrand(b)?.startsWith('M4A') === true },
  { type: 'video/3gpp', ext: '3gp', test: (b) => isoBrand(b)?.startsWith('3gp') === true },
  { type: 'video/mp4', ext: 'mp4', test: (b) => isoBrand(b) !== null },
];

function isoBrand(b: Buffer): string | null {
  return b.subarray(4, 8).toString('latin1') === 'ftyp' ? b.subarray(8, 12).toString('latin1') : null;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const PKCS7_SIGNED_DATA_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);

function odfMimetype(b: Buffer): string | null {
  if (!b.subarray(0, 4).equals(ZIP_MAGIC) || b.subarray(30, 38).toString('latin1') !== 'mimetype') return null;
  const m = /^application\/vnd\.oasis\.opendocument\.[a-z]+/.exec(b.subarray(38, 100).toString('latin1'));
  return m ? m[0] : null;
}

function ooxmlKind(b: Buffer): string | null {
  if (!b.subarray(0, 4).equals(ZIP_MAGIC)) return null;
  // Entry names are stored in clear in the local headers; the part folders come early in the archive.
  const head = b.subarray(0, Math.min(b.length, 64 * 1024)).toString('latin1');
  if (!head.includes('[Content_Types].xml')) return null;
  return ['word/', 'xl/', 'ppt/'].find((k) => head.includes(k)) ?? null;
}

/** The type of a file judged by its first bytes, not by what the sender claims. */
export function sniffContentType(bytes: Buffer): { type: string; ext: string } | null {
  const hit = SIGNATURES.find((s) => s.test(bytes));
  return hit ? { type: hit.type, ext: hit.ext } : null;
}

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
