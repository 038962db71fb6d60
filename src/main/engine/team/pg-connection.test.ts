import { describe, expect, it } from 'vitest';
import { pgTarget } from './pg-connection.js';

describe('pgTarget', () => {
  it('reads user, host, port and database; the password comes from the option or PGPASSWORD', () => {
    const t = pgTarget('postgres://vminer@db.corp:6543/inventory', { env: { PGPASSWORD: 'from-env' } });
    expect(t.config).toMatchObject({
      user: 'vminer',
      host: 'db.corp',
      port: 6543,
      database: 'inventory',
      password: 'from-env',
    });
    expect(t.config.ssl).toBeUndefined();
    expect(t.display).toBe('postgres://vminer@db.corp:6543/inventory');
    expect(pgTarget('postgresql://u@[::1]/d', { password: 'opt', env: {} }).config).toMatchObject({
      host: '::1',
      port: 5432,
      password: 'opt',
    });
    expect(pgTarget('postgresql://u@[::1]/d', { env: {} }).display).toBe('postgres://u@[::1]:5432/d');
  });

  it('refuses a password in the URL without repeating it', () => {
    let message = '';
    try {
      pgTarget('postgres://u:S3cret-pw@h/d');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/holds a password: remove it .* PGPASSWORD/);
    expect(message).not.toContain('S3cret-pw');
  });

  it('explains what is wrong with other URLs', () => {
    expect(() => pgTarget('db.corp:5432')).toThrow(/must start with postgres:\/\//);
    expect(() => pgTarget('not a url')).toThrow(/not a URL/);
    expect(() => pgTarget('postgres://h/d')).toThrow(/needs a user, a host and a database/);
    expect(() => pgTarget('postgres://u@h/d?sslmode=allow')).toThrow(/sslmode=allow is not supported/);
    expect(() => pgTarget('postgres://u@h/d?password=x')).toThrow(/option "password" is not supported/);
  });

  it('sslmode=require encrypts; verify-full also checks the certificate', () => {
    expect(pgTarget('postgres://u@h/d?sslmode=require', { env: {} }).config.ssl).toEqual({
      rejectUnauthorized: false,
    });
    expect(pgTarget('postgres://u@h/d?sslmode=verify-full', { env: {} }).config.ssl).toEqual({
      rejectUnauthorized: true,
    });
  });
});
