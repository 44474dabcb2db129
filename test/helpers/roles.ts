import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Login roles for tests of the ims roles. Roles are cluster-wide, so every name carries a
 * random suffix (test files run side by side on one server) and each role has a random
 * password, so the tests also hold on a server that asks for one.
 */

export interface Login {
  name: string;
  password: string;
}

/** `url` (postgresql://[user[:password]@]host/db?...) with another user and password. */
export function urlAs(url: string, login: Login): string {
  const m = /^(postgres(?:ql)?:\/\/)(?:[^/?]*@)?(.*)$/s.exec(url);
  if (!m) throw new Error('not a postgresql:// URL');
  return `${m[1]}${encodeURIComponent(login.name)}:${encodeURIComponent(login.password)}@${m[2]}`;
}

/** Creates a login that is a member of `groups`; `drop` removes every login made by this set. */
export class Logins {
  private readonly made: string[] = [];
  private readonly suffix = randomBytes(4).toString('hex');

  constructor(private readonly adminUrl: string) {}

  /** `password` must hold no single quote. */
  async create(label: string, groups: string[], password = randomBytes(12).toString('hex')): Promise<Login> {
    const login = { name: `ims_t_${label}_${this.suffix}`, password };
    await this.admin(async (c) => {
      await c.query(`CREATE ROLE ${login.name} LOGIN PASSWORD '${login.password}'`);
      for (const g of groups) await c.query(`GRANT ${g} TO ${login.name}`);
    });
    this.made.push(login.name);
    return login;
  }

  /** Drops the logins (after the databases they were used in are gone). */
  async drop(): Promise<void> {
    await this.admin(async (c) => {
      for (const name of this.made) await c.query(`DROP ROLE IF EXISTS ${name}`);
    });
  }

  private async admin(work: (c: Client) => Promise<void>): Promise<void> {
    const c = new Client({ connectionString: this.adminUrl });
    await c.connect();
    try {
      await work(c);
    } finally {
      await c.end();
    }
  }
}

/** One connection as `login` to the database at `url`. */
export async function connectAs(url: string, login: Login): Promise<Client> {
  const c = new Client({ connectionString: urlAs(url, login) });
  await c.connect();
  return c;
}
