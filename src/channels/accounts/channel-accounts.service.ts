import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { updateReturning } from '../../database/sql.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { invalidField, notFoundField } from '../../common/errors.js';
import { assertRefsInScope } from '../../common/scope-refs.js';
import { TenantScope, type Principal } from '../../common/tenant-scope.js';
import { ACCOUNT_SCHEMAS, type AccountClaim, type AccountSchema } from './account-schemas.js';

/** pg_advisory_xact_lock class of the channel accounts' exclusive checks (the key: the channel). */
const ACCOUNTS_LOCK_CLASS = 8246;
import { InSystemScope } from '../../tenancy/db-scope.js';
import { InScope, runInScope } from '../../tenancy/db-scope.js';
import type { ChannelAccountView } from './channel-accounts.api.js';

/** An account as a channel uses it, secrets included. Never serialized to a client or a log. */
export interface LoadedAccount {
  id: number;
  comuneId: number;
  channel: string;
  label: string;
  config: Record<string, any>;
  secrets: Record<string, any>;
  enabled: boolean;
}

export type { ChannelAccountView } from './channel-accounts.api.js';

/** A channel that must act when one of its accounts is saved (register a webhook, restart a session). */
export interface AccountListener {
  channel: string;
  saved(account: LoadedAccount): Promise<{ ok: boolean; detail: string } | undefined>;
}

interface Row {
  id: number;
  comune_id: number;
  channel: string;
  label: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
  enabled: boolean;
  created_at: Date;
}

@Injectable()
export class ChannelAccountsService {
  private readonly logger = new Logger(ChannelAccountsService.name);
  private readonly listeners = new Map<string, AccountListener>();

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  addListener(l: AccountListener): void {
    this.listeners.set(l.channel, l);
  }

  /** For a channel's webhook or worker: the account by id, only if it is of that channel. */
  @InSystemScope('channel-accounts')
  async load(id: number | string, channel: string): Promise<LoadedAccount | null> {
    if (!/^\d{1,9}$/.test(String(id))) return null;
    const rows: Row[] = await this.ds.query(
      `SELECT id, comune_id, channel, label, config, secrets, enabled, created_at FROM channel_accounts WHERE id = $1 AND channel = $2`,
      [Number(id), channel],
    );
    return rows[0] ? toLoaded(rows[0]) : null;
  }

  @InSystemScope('channel-accounts')
  async enabledOf(channel: string): Promise<LoadedAccount[]> {
    const rows: Row[] = await this.ds.query(
      `SELECT id, comune_id, channel, label, config, secrets, enabled, created_at FROM channel_accounts WHERE channel = $1 AND enabled ORDER BY id`,
      [channel],
    );
    return rows.map(toLoaded);
  }

  /** Public settings of a comune's enabled accounts (the contact page). */
  @InScope((comuneId: number) => TenantScope.ofComune(comuneId))
  async publicOf(comuneId: number): Promise<Array<{ id: number; channel: string; label: string; config: Record<string, any> }>> {
    const params: unknown[] = [];
    const scope = TenantScope.ofComune(comuneId).sql('comune_id', params);
    return this.ds.query(`SELECT id, channel, label, config FROM channel_accounts WHERE ${scope} AND enabled ORDER BY id`, params);
  }

  async list(principal: Principal, comuneId?: number): Promise<ChannelAccountView[]> {
    await assertRefsInScope(this.ds, principal, { comuneId });
    const params: unknown[] = [];
    const where = [TenantScope.ofPrincipal(principal).sql('comune_id', params)];
    if (comuneId !== undefined) {
      params.push(comuneId);
      where.push(`comune_id = $${params.length}`);
    }
    params.push([...ACCOUNT_SCHEMAS.keys()]);
    where.push(`channel = ANY($${params.length}::text[])`);
    const rows: Row[] = await this.ds.query(
      `SELECT id, comune_id, channel, label, config, secrets, enabled, created_at FROM channel_accounts WHERE ${where.join(' AND ')} ORDER BY comune_id, id`,
      params,
    );
    return rows.map((r) => this.view(r));
  }

  async get(principal: Principal, id: string): Promise<ChannelAccountView> {
    return this.view(await this.findVisible(principal, id));
  }

  async create(
    principal: Principal,
    input: {
      comuneId?: number;
      channel: string;
      label: string;
      config?: Record<string, unknown>;
      secrets?: Record<string, unknown>;
      enabled?: boolean;
    },
  ): Promise<ChannelAccountView> {
    const schema = this.schema(input.channel);
    const comuneId = this.targetComune(principal, input.comuneId);
    const config = schema.config(input.config ?? {});
    const secrets = schema.secrets(input.secrets ?? {});
    const enabled = input.enabled ?? true;
    await schema.check?.({ config, secrets }, this.config);
    await this.assertUnique(schema.channel, config, secrets, null);
    const exists = await this.ds.query(`SELECT 1 FROM comuni WHERE id = $1`, [comuneId]);
    if (!exists.length) throw invalidField('comuneId', `unknown comune ${comuneId}`);
    const [row]: Row[] = await this.exclusively(schema, { id: null, comuneId, config, enabled }, (m) =>
      m.query(
        `INSERT INTO channel_accounts (comune_id, channel, label, config, secrets, enabled) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)
       RETURNING id, comune_id, channel, label, config, secrets, enabled, created_at`,
        [comuneId, schema.channel, input.label, JSON.stringify(config), JSON.stringify(secrets), enabled],
      ),
    );
    this.logger.log(`channel account ${row.id} (${row.channel}) created for comune ${comuneId} by operator ${principal.operatorId}`);
    return this.afterSave(row);
  }

  async update(
    principal: Principal,
    id: string,
    change: { label?: string; config?: Record<string, unknown>; secrets?: Record<string, unknown>; enabled?: boolean },
  ): Promise<ChannelAccountView> {
    const current = await this.findVisible(principal, id);
    const schema = this.schema(current.channel);
    // Settings given replace the current ones; a setting given as null is removed (an optional one turned off).
    const config = change.config !== undefined ? schema.config(withoutNulls({ ...current.config, ...change.config })) : current.config;
    let secrets = current.secrets;
    if (change.secrets !== undefined) {
      // Secrets are write-only: a key given replaces the stored value, a key left out keeps it.
      const merged: Record<string, unknown> = { ...current.secrets };
      for (const [k, v] of Object.entries(change.secrets)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      secrets = schema.secrets(merged);
    }
    const enabled = change.enabled ?? current.enabled;
    await schema.check?.({ config, secrets }, this.config);
    await this.assertUnique(schema.channel, config, secrets, current.id);
    const [row]: Row[] = await this.exclusively(schema, { id: current.id, comuneId: current.comune_id, config, enabled }, (m) =>
      updateReturning(
        m,
        `UPDATE channel_accounts SET label = $2, config = $3::jsonb, secrets = $4::jsonb, enabled = $5 WHERE id = $1
       RETURNING id, comune_id, channel, label, config, secrets, enabled, created_at`,
        [current.id, change.label ?? current.label, JSON.stringify(config), JSON.stringify(secrets), enabled],
      ),
    );
    this.logger.log(`channel account ${row.id} (${row.channel}) updated by operator ${principal.operatorId}`);
    return this.afterSave(row);
  }

  /**
   * Stores an account; when its channel checks it against the other accounts, the check and the
   * write happen in one transaction holding the channel's lock (not check-then-insert).
   */
  private async exclusively(schema: AccountSchema, claim: AccountClaim, write: (m: EntityManager) => Promise<Row[]>): Promise<Row[]> {
    if (!schema.exclusive) return write(this.ds.manager);
    // The check reads every comune's accounts (an address is one comune's only): a named system scope.
    // The comune written is the caller's, already checked against the principal (targetComune).
    return runInScope(TenantScope.system('channel-accounts'), () =>
      this.ds.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [ACCOUNTS_LOCK_CLASS, schema.channel]);
        await schema.exclusive!(m, claim);
        return write(m);
      }),
    );
  }

  private async afterSave(row: Row): Promise<ChannelAccountView> {
    const view = this.view(row);
    const listener = this.listeners.get(row.channel);
    if (!listener) return view;
    try {
      const connection = await listener.saved(toLoaded(row));
      return connection ? { ...view, connection } : view;
    } catch (err) {
      return { ...view, connection: { ok: false, detail: (err as Error).message } };
    }
  }

  private schema(channel: string): AccountSchema {
    const s = ACCOUNT_SCHEMAS.get(channel);
    if (!s) throw invalidField('channel', `must be one of ${[...ACCOUNT_SCHEMAS.keys()].join(', ')}`);
    return s;
  }

  private targetComune(principal: Principal, comuneId?: number): number {
    if (principal.role === 'metro_admin') {
      if (comuneId === undefined) throw invalidField('comuneId', 'is required for the metropolitan administrator');
      return comuneId;
    }
    // Another comune answers as one that does not exist.
    if (comuneId !== undefined && comuneId !== principal.comuneId) throw notFoundField('comuneId', `comune ${comuneId} not found`);
    return principal.comuneId as number;
  }

  // Unique across every comune: a provider's number, bot or mailbox belongs to one account only.
  @InSystemScope('channel-accounts')
  private async assertUnique(
    channel: string,
    config: Record<string, unknown>,
    secrets: Record<string, unknown>,
    selfId: number | null,
  ): Promise<void> {
    const probe =
      channel === 'whatsapp'
        ? { sql: `config->>'phoneNumberId' = $2`, value: config.phoneNumberId, what: 'config.phoneNumberId' }
        : channel === 'telegram'
          ? { sql: `secrets->>'botToken' = $2`, value: secrets.botToken, what: 'secrets.botToken' }
          : null;
    if (!probe) return;
    const rows = await this.ds.query(`SELECT id FROM channel_accounts WHERE channel = $1 AND ${probe.sql} AND id <> $3`, [
      channel,
      probe.value,
      selfId ?? 0,
    ]);
    if (rows.length) throw new ConflictException(`${probe.what}: another ${channel} account (id ${rows[0].id}) already uses it`);
  }

  private async findVisible(principal: Principal, id: string): Promise<Row> {
    if (!/^\d{1,9}$/.test(id)) throw new NotFoundException(`channel account ${id} not found`);
    const params: unknown[] = [Number(id)];
    const scope = TenantScope.ofPrincipal(principal).sql('comune_id', params);
    params.push([...ACCOUNT_SCHEMAS.keys()]);
    const rows: Row[] = await this.ds.query(
      `SELECT id, comune_id, channel, label, config, secrets, enabled, created_at FROM channel_accounts
        WHERE id = $1 AND ${scope} AND channel = ANY($${params.length}::text[])`,
      params,
    );
    if (!rows.length) throw new NotFoundException(`channel account ${id} not found`);
    return rows[0];
  }

  private view(r: Row): ChannelAccountView {
    const webhook =
      r.channel === 'whatsapp' || r.channel === 'telegram' ? `${this.config.messaging.publicBaseUrl}/webhooks/${r.channel}/${r.id}` : null;
    return {
      id: r.id,
      comuneId: r.comune_id,
      channel: r.channel,
      label: r.label,
      config: r.config,
      secretsSet: Object.keys(r.secrets ?? {})
        .filter((k) => r.secrets[k] !== undefined && r.secrets[k] !== null && r.secrets[k] !== '')
        .sort(),
      enabled: r.enabled,
      createdAt: new Date(r.created_at).toISOString(),
      webhookUrl: webhook,
    };
  }
}

function withoutNulls(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
}

function toLoaded(r: Row): LoadedAccount {
  return {
    id: r.id,
    comuneId: r.comune_id,
    channel: r.channel,
    label: r.label,
    config: r.config as Record<string, any>,
    secrets: (r.secrets ?? {}) as Record<string, any>,
    enabled: r.enabled,
  };
}
