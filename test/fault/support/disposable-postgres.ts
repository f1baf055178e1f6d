import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/redis-server.js';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL server (initdb in a temp dir, its own loopback port and socket dir) that
 * a test may stop and start: the shared server other test files use is never touched. PostgreSQL
 * refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
export class DisposablePostgres {
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async create(): Promise<DisposablePostgres> {
    if (!existsSync(join(BIN, 'initdb'))) throw new Error(`initdb not found in ${BIN} (set PG_BIN)`);
    const dir = mkdtempSync(join(tmpdir(), 'sportello-pg-'));
    chmodSync(dir, 0o777);
    const db = new DisposablePostgres(await freePort(), dir);
    db.run('initdb', ['-D', db.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    return db;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private asOwner(cmd: string, args: string[]): [string, string[]] {
    return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args]] : [join(BIN, cmd), args];
  }

  private run(cmd: string, args: string[]): void {
    const [c, a] = this.asOwner(cmd, args);
    execFileSync(c, a, { stdio: 'ignore' });
  }

  private running = false;

  // fsync is off (the test stops PostgreSQL, not the machine: written WAL survives in the page
  // cache), synchronous_commit stays on: an acknowledged commit must survive an immediate stop.

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
    this.run('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
    this.running = true;
  }

  /** Immediate shutdown, as a crash or a failover looks to the application. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    this.running = false;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
