import { Inject, Injectable, Logger } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';

export type PecSignatureState = 'verified' | 'not_verified' | 'invalid';

const TIMEOUT_MS = 15_000;

/**
 * Checks the S/MIME signature a PEC provider puts on a transport envelope (or a receipt) against
 * the providers' certificates, PEC_TRUSTED_CERTS_FILE: a PEM bundle of the providers' signing
 * certificates or of their CAs (AgID publishes them). The check is OpenSSL's own S/MIME
 * verification (`openssl smime -verify`, run as a child process without a shell): it reads the
 * multipart/signed MIME structure, canonicalises the signed part, checks the CMS signature and the
 * certificate path to the bundle. Without a bundle nothing is verified (`not_verified`), and the
 * console says so.
 */
@Injectable()
export class PecSignatureVerifier {
  private readonly logger = new Logger(PecSignatureVerifier.name);
  private readonly bundle: string | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.bundle = config.channelSecurity.pecTrustedCertsFile;
    if (this.bundle) {
      try {
        accessSync(this.bundle, constants.R_OK);
      } catch {
        this.logger.error(`PEC_TRUSTED_CERTS_FILE ${this.bundle} cannot be read: PEC signatures are not verified`);
        this.bundle = null;
      }
    }
  }

  async verify(raw: Buffer): Promise<PecSignatureState> {
    if (!this.bundle) return 'not_verified';
    // -partial_chain: a provider's own certificate in the bundle is trusted without its CA;
    // -purpose any: providers' certificates are not always marked for e-mail protection.
    const args = ['smime', '-verify', '-CAfile', this.bundle, '-partial_chain', '-purpose', 'any', '-out', '/dev/null'];
    const { code, stderr, error } = await run('openssl', args, raw);
    if (error) {
      this.logger.error(`PEC signature not verified: openssl could not run (${error.message})`);
      return 'not_verified';
    }
    if (code === 0) return 'verified';
    // 2: not an S/MIME signed message (no or unreadable smime.p7s); 4: the signature or the certificate path failed.
    this.logger.warn(`PEC signature invalid (openssl exit ${code}): ${stderr.replace(/\s+/g, ' ').slice(0, 300)}`);
    return 'invalid';
  }
}

function run(cmd: string, args: string[], input: Buffer): Promise<{ code: number | null; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'], timeout: TIMEOUT_MS });
    const err: Buffer[] = [];
    let failed: Error | undefined;
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < 64) err.push(c);
    });
    child.on('error', (e) => {
      failed = e;
    });
    child.stdin.on('error', () => undefined); // openssl may stop reading early (a broken message)
    child.on('close', (code, signal) =>
      resolve({
        code,
        stderr: Buffer.concat(err).toString('utf8'),
        error: failed ?? (signal ? new Error(`killed by ${signal}`) : undefined),
      }),
    );
    child.stdin.end(input);
  });
}
