import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SHARED_GEOJSON } from '../../support/env.js';

const REGISTER = resolve('test/fault/support/register-ts.mjs');

/**
 * The application as a separate operating-system process (`src/main.ts`, run from the sources
 * through ts-hooks.mjs), so a test can SIGKILL it like a crashed container.
 */
export class ChildApp {
  private output = '';
  private constructor(readonly proc: ChildProcess) {}

  static async start(env: Record<string, string>, ms = 90_000): Promise<ChildApp> {
    const proc = spawn(process.execPath, ['--import', REGISTER, 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        PORT: '0',
        LOG_LEVEL: 'warn',
        STORAGE_DIR: mkdtempSync(join(tmpdir(), 'sportello-child-')),
        COMUNI_GEOJSON: SHARED_GEOJSON,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = new ChildApp(proc);
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`child app not listening within ${ms} ms:\n${child.output.slice(-2000)}`)), ms);
      const onData = (d: Buffer) => {
        child.output += d.toString();
        if (child.output.includes(' listening on ')) {
          clearTimeout(timer);
          ok();
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', (d: Buffer) => {
        child.output += d.toString();
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`child app exited (${code ?? signal}):\n${child.output.slice(-2000)}`));
      });
    });
    return child;
  }

  get log(): string {
    return this.output;
  }

  /** Ends the process with a signal and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await new Promise<void>((ok) => {
      this.proc.once('exit', () => ok());
      this.proc.kill(signal);
    });
  }
}
