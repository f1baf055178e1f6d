import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/tenant-scope.js';
import type { Role } from '../common/staff.js';
import { asSystem } from '../tenancy/db-scope.js';
import type { LoginResponse } from './auth.api.js';

interface TokenClaims {
  sub: string;
  cid: number | null;
  role: Role;
}

/** Operator login (argon2id password hashes) and signed access tokens. */
@Injectable()
export class AuthService {
  // A real hash to verify against when the e-mail is unknown, so timing does not reveal accounts.
  private dummyHash: Promise<string> = argon2.hash('not-a-real-password');

  constructor(
    private readonly ds: DataSource,
    private readonly jwt: JwtService,
  ) {}

  static hashPassword(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async login(email: string, password: string): Promise<LoginResponse> {
    // Before login nobody's comune is known: finding the account is the one thing done across comuni.
    const rows = await asSystem('auth', () =>
      this.ds.query(`SELECT id, comune_id, role, password_hash FROM operators WHERE email = $1`, [email.trim().toLowerCase()]),
    );
    const row = rows[0];
    const ok = await argon2.verify(row?.password_hash ?? (await this.dummyHash), password).catch(() => false);
    if (!row || !ok) throw new UnauthorizedException('wrong e-mail or password');
    const claims: TokenClaims = { sub: String(row.id), cid: row.comune_id, role: row.role };
    const accessToken = await this.jwt.signAsync(claims);
    return { accessToken, operator: await this.principal(row.id) };
  }

  /** The principal behind a token; throws 401 for a bad, expired or orphaned token. */
  async verify(token: string | undefined): Promise<Principal> {
    if (!token) throw new UnauthorizedException('missing access token');
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch {
      throw new UnauthorizedException('invalid or expired access token');
    }
    const id = Number(claims.sub);
    if (!Number.isInteger(id)) throw new UnauthorizedException('invalid access token');
    return this.principal(id);
  }

  /** Role and comune are read from the database on each request: a change takes effect at once. */
  async principal(operatorId: number): Promise<Principal> {
    const rows = await asSystem('auth', () =>
      this.ds.query(
        `SELECT o.id, o.comune_id, o.role, o.name, COALESCE(array_agg(og.group_id) FILTER (WHERE og.group_id IS NOT NULL), '{}') AS group_ids
         FROM operators o LEFT JOIN operator_groups og ON og.operator_id = o.id
        WHERE o.id = $1 GROUP BY o.id`,
        [operatorId],
      ),
    );
    if (!rows.length) throw new UnauthorizedException('this account no longer exists');
    const r = rows[0];
    return { operatorId: r.id, comuneId: r.comune_id, role: r.role, groupIds: r.group_ids, name: r.name };
  }
}
