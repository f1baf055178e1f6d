import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { TenantScope } from '../../common/tenant-scope.js';
import { runInScope } from '../../tenancy/db-scope.js';
import { CitizenAccounts } from '../../portal/identity/accounts.js';
import type { Citizen } from '../../portal/identity/citizen-auth.js';
import { CitizenSessions } from '../../portal/identity/sessions.js';

/** The citizen behind a public read, if logged in (a read changes nothing: no CSRF token needed). */
@Injectable()
export class CitizenViewer {
  constructor(
    private readonly sessions: CitizenSessions,
    private readonly accounts: CitizenAccounts,
  ) {}

  async of(req: Request): Promise<Citizen | null> {
    const s = await this.sessions.current(req);
    if (!s) return null;
    const account = await runInScope(TenantScope.citizen(s.accountId), () => this.accounts.view(s.accountId));
    return account ? { ...account, assurance: s.assurance, level: s.level } : null;
  }
}
