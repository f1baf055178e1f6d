import { DataSource, type DataSourceOptions } from 'typeorm';
import { Comune } from '../comuni/comune.entity.js';
import { CompetenceGroup } from '../comuni/competence-group.entity.js';
import { Operator, OperatorGroup } from '../operators/operator.entity.js';
import { applySqlDefinitions } from './sql-definitions.js';
import { Citizen, CitizenIdentity } from '../conversations/citizen.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { Attachment, Message } from '../tickets/message.entity.js';
import { TicketEvent } from '../tickets/ticket-event.entity.js';
import { OutboxEntry } from '../outbox/outbox.entity.js';
import { CoreSchema1764000000000 } from './migrations/1764000000000-CoreSchema.js';
import { EmailChannel1764460000000 } from './migrations/1764460000000-EmailChannel.js';
import { ChannelNotifications1764600000000 } from './migrations/1764600000000-ChannelNotifications.js';
import { ConsoleSchema1764300000000 } from './migrations/1764300000000-ConsoleSchema.js';
import { Analytics1764500000000 } from './migrations/1764500000000-Analytics.js';
import { IngestInOneCall1764900000000 } from './migrations/1764900000000-IngestInOneCall.js';
import { AnalyticsMetroScale1764800000000 } from './migrations/1764800000000-AnalyticsMetroScale.js';
import { ContactNotices1764700000000 } from './migrations/1764700000000-ContactNotices.js';
import { EarlyDeliveryReports1764710000000 } from './migrations/1764710000000-EarlyDeliveryReports.js';
import { NoticeRecipients1764950000000 } from './migrations/1764950000000-NoticeRecipients.js';
import { AnalyticsCountMaps1764970000000 } from './migrations/1764970000000-AnalyticsCountMaps.js';
import { CsatProbeOpenTicket1765000000000 } from './migrations/1765000000000-CsatProbeOpenTicket.js';
import { RollupHistogramArrays1765100000000 } from './migrations/1765100000000-RollupHistogramArrays.js';
import { PecSignatureState1765150000000 } from './migrations/1765150000000-PecSignatureState.js';
import { APP_ROLE, TenantRowLevelSecurity1765200000000 } from './migrations/1765200000000-TenantRowLevelSecurity.js';
import { CitizenRegistryRowLevelSecurity1765300000000 } from './migrations/1765300000000-CitizenRegistryRowLevelSecurity.js';
import { CasePhases1765410000000 } from './migrations/1765410000000-CasePhases.js';
import { CitizenAccounts1765500000000 } from './migrations/1765500000000-CitizenAccounts.js';
import { PortalReports1765600000000 } from './migrations/1765600000000-PortalReports.js';
import { PortalMyCases1765650000000 } from './migrations/1765650000000-PortalMyCases.js';
import { PortalSettings1765720000000 } from './migrations/1765720000000-PortalSettings.js';
import { Participation1765800000000 } from './migrations/1765800000000-Participation.js';
import { PrivacyRights1765710000000 } from './migrations/1765710000000-PrivacyRights.js';
import { PortalServiceRatings1765700000000 } from './migrations/1765700000000-PortalServiceRatings.js';
import { ServiceCatalogue1765550000000 } from './migrations/1765550000000-ServiceCatalogue.js';

export const ENTITIES = [
  Comune,
  CompetenceGroup,
  Operator,
  OperatorGroup,
  Citizen,
  CitizenIdentity,
  ChannelAccount,
  Ticket,
  Message,
  Attachment,
  TicketEvent,
  OutboxEntry,
];
export const MIGRATIONS = [
  CoreSchema1764000000000,
  ConsoleSchema1764300000000,
  EmailChannel1764460000000,
  Analytics1764500000000,
  ChannelNotifications1764600000000,
  ContactNotices1764700000000,
  EarlyDeliveryReports1764710000000,
  AnalyticsMetroScale1764800000000,
  IngestInOneCall1764900000000,
  NoticeRecipients1764950000000,
  AnalyticsCountMaps1764970000000,
  CsatProbeOpenTicket1765000000000,
  RollupHistogramArrays1765100000000,
  PecSignatureState1765150000000,
  TenantRowLevelSecurity1765200000000,
  CitizenRegistryRowLevelSecurity1765300000000,
  CasePhases1765410000000,
  CitizenAccounts1765500000000,
  PortalReports1765600000000,
  PortalMyCases1765650000000,
  PortalSettings1765720000000,
  PrivacyRights1765710000000,
  ServiceCatalogue1765550000000,
  PortalServiceRatings1765700000000,
  Participation1765800000000,
];

export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // The schema is owned by migrations, never synchronized from the entities.
    synchronize: false,
    extra: { max: 20, connectionTimeoutMillis: 5_000 },
    logging: false,
  };
}

/** Creates the database named in the URL when it does not exist yet (first run of the demo). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`DATABASE_URL names an unusual database "${name}"`);
  url.pathname = '/postgres';
  const admin = new DataSource({ type: 'postgres', url: url.toString() });
  await admin.initialize();
  try {
    const rows: unknown[] = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.destroy();
  }
}

/**
 * Applies the migrations as the owner of the schema, then the SQL definitions whose file changed
 * (src/database/sql-definitions.ts: `ingest_message` and the like, answered as `sql:<name>`). With
 * `appPassword` the application's role (`sportello_app`, created by the migrations) gets that
 * password, for servers that ask for one.
 */
export async function runMigrations(databaseUrl: string, appPassword = ''): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(databaseUrl));
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    const definitions = await applySqlDefinitions(ds);
    if (appPassword) {
      const [{ sql }] = await ds.query(`SELECT format('ALTER ROLE ${APP_ROLE} PASSWORD %L', $1::text) AS sql`, [appPassword]);
      await ds.query(sql);
    }
    return [...done.map((m) => m.name), ...definitions.map((d) => `sql:${d}`)];
  } finally {
    await ds.destroy();
  }
}
