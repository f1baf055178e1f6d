import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freePort } from './redis-server.js';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL 15 server on which PostGIS is NOT available, and which asks for passwords
 * (scram-sha-256), from the installed binaries: PostgreSQL finds its share directory relative to
 * its executable (bin/../../share/postgresql/15 on Debian), so a copy of the executables beside a
 * share directory whose extension folder lacks postgis* is a server without PostGIS. The shared
 * server other tests use is never touched. Run as root, the cluster belongs to `postgres`.
 */
export class NoPostgisPostgres {
  private running = false;
  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly password: string,
  ) {}

  static available(): boolean {
    return existsSync(join(BIN, 'initdb')) && existsSync('/usr/share/postgresql/15/extension');
  }

  static async create(password = 'owner-secret'): Promise<NoPostgisPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'sportello-nopostgis-'));
    chmodSync(dir, 0o777);
    const bin = join(dir, 'lib/postgresql/15/bin');
    const ext = join(dir, 'share/postgresql/15/extension');
    mkdirSync(bin, { recursive: true });
    mkdirSync(ext, { recursive: true });
    // Copies, not links: PostgreSQL resolves a symlinked executable to its real place.
    for (const f of ['postgres', 'initdb', 'pg_ctl']) copyFileSync(join(BIN, f), join(bin, f));
    chmodSync(join(bin, 'postgres'), 0o755);
    chmodSync(join(bin, 'initdb'), 0o755);
    chmodSync(join(bin, 'pg_ctl'), 0o755);
    symlinkSync(join(BIN, '../lib'), join(dir, 'lib/postgresql/15/lib'));
    for (const f of readdirSync('/usr/share/postgresql/15')) {
      if (f !== 'extension') symlinkSync(join('/usr/share/postgresql/15', f), join(dir, 'share/postgresql/15', f));
    }
    for (const f of readdirSync('/usr/share/postgresql/15/extension')) {
      if (!basename(f).startsWith('postgis')) symlinkSync(join('/usr/share/postgresql/15/extension', f), join(ext, f));
    }
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
    const db = new NoPostgisPostgres(await freePort(), dir, password);
    db.run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8']);
    return db;
  }

  url(database = 'postgres', password: string | null = this.password): string {
    return `postgres://postgres${password === null ? '' : `:${encodeURIComponent(password)}`}@127.0.0.1:${this.port}/${database}`;
  }

  private run(cmd: string, args: string[]): void {
    const exe = join(this.dir, 'lib/postgresql/15/bin', cmd);
    const [c, a] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
    execFileSync(c, a, { stdio: 'ignore' });
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=20`;
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
    this.running = true;
  }

  async destroy(): Promise<void> {
    if (this.running) this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    this.running = false;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
