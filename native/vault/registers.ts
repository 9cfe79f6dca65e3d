/**
 * The outgoing and incoming registers (sổ đi, sổ đến; DOMAIN.md): numbers restart at 1
 * each year and have no gaps. A number is taken inside the transaction that moves a
 * package to the outbox or registers it in the inbox, so a rolled-back change never uses
 * one, and UNIQUE (year, number) refuses a second taker.
 */
import type { LevelCode } from '../seal/levels.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import type { Vault } from './vault.ts';

/** A register number: the year and the number within it. */
export interface RegisterNumber {
  year: number;
  number: number;
}

/** One row of the outgoing register; `subject` is null while hidden (Tuyệt mật). */
export interface OutgoingRegisterEntry extends RegisterNumber {
  level: LevelCode;
  subject: string | null;
  packageSha256: string | null;
  registeredAt: string;
  registeredBy: string;
}

/** One row of the incoming register, with the inbox id it registers. */
export interface IncomingRegisterEntry extends RegisterNumber {
  inboxId: number;
  registeredAt: string;
  registeredBy: string;
}

/** The next number of `year` in `register` (call inside the transaction that uses it). */
export function nextRegisterNumber(
  db: SqliteDatabase,
  register: 'outgoing' | 'incoming',
  year: number,
): RegisterNumber {
  const table = register === 'outgoing' ? 'outgoing_register' : 'incoming_register';
  const last = db
    .prepare(`SELECT coalesce(max(number), 0) FROM ${table} WHERE year = ?`)
    .pluck()
    .get(year) as number;
  return { year, number: last + 1 };
}

/** The year of an ISO time, in UTC (the vault's clock). */
export const yearOf = (iso: string): number => new Date(iso).getUTCFullYear();

/** The outgoing register, by year and number. */
export function listOutgoingRegister(vault: Vault): OutgoingRegisterEntry[] {
  const rows = vault.database
    .prepare(
      `SELECT year, number, level, subject, subject_listed, lower(hex(package_sha256)) AS sha,
         registered_at, registered_by FROM outgoing_register ORDER BY year, number`,
    )
    .all() as {
    year: number;
    number: number;
    level: LevelCode;
    subject: string;
    subject_listed: number;
    sha: string | null;
    registered_at: string;
    registered_by: string;
  }[];
  return rows.map((r) => ({
    year: r.year,
    number: r.number,
    level: r.level,
    subject: r.subject_listed === 1 ? r.subject : null,
    packageSha256: r.sha === '' ? null : r.sha,
    registeredAt: r.registered_at,
    registeredBy: r.registered_by,
  }));
}

/** The incoming register, by year and number. */
export function listIncomingRegister(vault: Vault): IncomingRegisterEntry[] {
  const rows = vault.database
    .prepare(
      `SELECT year, number, inbox_id, registered_at, registered_by FROM incoming_register
       ORDER BY year, number`,
    )
    .all() as {
    year: number;
    number: number;
    inbox_id: number;
    registered_at: string;
    registered_by: string;
  }[];
  return rows.map((r) => ({
    year: r.year,
    number: r.number,
    inboxId: r.inbox_id,
    registeredAt: r.registered_at,
    registeredBy: r.registered_by,
  }));
}
