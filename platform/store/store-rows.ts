/**
 * Rows as both stores select them (same column names in SQLite and PostgreSQL) and their
 * conversion to the records of ./platform-store.ts. PostgreSQL returns bigint columns as
 * decimal strings and timestamptz as Date, SQLite numbers and text: both are accepted.
 */
import type { AgencyRecord, MailboxEntryRecord, UploadRecord } from './platform-store.ts';
import { checkKeyTransport, checkLevel } from './store-values.ts';

type Int = number | string;
type Time = string | Date;

export interface AgencyRow {
  organ_id: string;
  name: string;
  clearance: string;
  key_transport: string;
}

export interface UploadRow {
  sha256: string;
  size: Int;
  level: string;
  sender: string;
  sender_certificate_sha256: string;
  chunk_bytes: Int;
  state: 'open' | 'complete';
  receipt: Buffer | null;
  created_at: Time;
  completed_at: Time | null;
}

export interface MailboxRow {
  cursor: Int;
  kind: 'package' | 'notice';
  at: Time;
  sha256: string | null;
  size: Int | null;
  level: string | null;
  sender: string | null;
  der: Buffer | null;
}

/** A stored time as `toISOString()` text. */
export function timeText(value: Time): string {
  return value instanceof Date ? value.toISOString() : value;
}

export function agencyFromRow(row: AgencyRow): AgencyRecord {
  return {
    organId: row.organ_id,
    name: row.name,
    clearance: checkLevel(row.clearance, 'clearance'),
    keyTransport: checkKeyTransport(row.key_transport),
  };
}

export function uploadFromRow(row: UploadRow, recipients: string[]): UploadRecord {
  return {
    sha256: row.sha256,
    size: Number(row.size),
    level: checkLevel(row.level, 'level'),
    sender: row.sender,
    senderCertificateSha256: row.sender_certificate_sha256,
    recipients,
    chunkBytes: Number(row.chunk_bytes),
    state: row.state,
    receipt: row.receipt,
    createdAt: timeText(row.created_at),
    completedAt: row.completed_at === null ? null : timeText(row.completed_at),
  };
}

export function entryFromRow(row: MailboxRow): MailboxEntryRecord {
  const cursor = String(row.cursor);
  const at = timeText(row.at);
  if (row.kind === 'notice') return { cursor, kind: 'notice', notice: row.der as Buffer, at };
  return {
    cursor,
    kind: 'package',
    sha256: row.sha256 as string,
    size: Number(row.size),
    level: checkLevel(row.level, 'level'),
    sender: row.sender as string,
    at,
  };
}
