/**
 * The agency directory in the vault: agencies by OrganId with their name, the highest
 * level each may receive (clearance), how keys are transported to them and their
 * certificates (DER). Imported from a JSON file (format below, docs/vault.md); an import
 * is one transaction that replaces each listed agency's entry whole (name, clearance and
 * certificates) and leaves agencies it does not list alone. Sealing reads it (./outbox.ts).
 *
 * ```json
 * { "format": "niem-directory", "version": 1,
 *   "agencies": [ { "organId": "000.00.00.G22", "name": "Văn phòng Chính phủ",
 *                   "clearance": "tuyet-mat", "keyTransport": "oaep-sha256",
 *                   "certificates": ["-----BEGIN CERTIFICATE-----…", "<base64 DER>"] } ] }
 * ```
 * keyTransport: `oaep-sha256` or `oaep-sha1` (RSA certificates; sha1 for a token that
 * cannot do OAEP with SHA-256) or `ecdh` (EC P-256/P-384 certificates).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { z } from 'zod';
import { NiemError } from '../api/errors.ts';
import { recipientCertificate } from '../seal/cms-crypto/index.ts';
import { levelCodes, type LevelCode } from '../seal/levels.ts';
import { OrganIdSchema } from '../seal/manifest.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** How a package's content key reaches an agency: RSA-OAEP (hash) or ECDH. */
export type KeyTransport = 'oaep-sha256' | 'oaep-sha1' | 'ecdh';

/** One agency of the directory. */
export interface Agency {
  organId: string;
  name: string;
  /** The highest level the agency may receive. */
  clearance: LevelCode;
  keyTransport: KeyTransport;
  /** Certificates (DER) to seal for; never empty after an import. */
  certificates: Uint8Array[];
  updatedAt: string;
}

/** What an import did. */
export interface DirectoryImport {
  /** OrganIds that were new. */
  added: string[];
  /** OrganIds whose entry was replaced. */
  replaced: string[];
}

/** Largest directory file accepted, in bytes. */
export const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;

const transports = { 'oaep-sha256': 'rsa-oaep-sha256', 'oaep-sha1': 'rsa-oaep-sha1', ecdh: 'ecdh' };
const fromColumn: Record<string, KeyTransport> = {
  'rsa-oaep-sha256': 'oaep-sha256',
  'rsa-oaep-sha1': 'oaep-sha1',
  ecdh: 'ecdh',
};

const DirectorySchema = z.strictObject({
  format: z.literal('niem-directory'),
  version: z.literal(1),
  agencies: z
    .array(
      z.strictObject({
        organId: OrganIdSchema,
        name: z.string().trim().min(1).max(300),
        clearance: z.enum(levelCodes),
        keyTransport: z.enum(['oaep-sha256', 'oaep-sha1', 'ecdh']),
        certificates: z
          .array(
            z
              .string()
              .min(1)
              .max(64 * 1024),
          )
          .min(1)
          .max(16),
      }),
    )
    .max(10_000),
});

function certificateDer(text: string): Buffer {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  return Buffer.from((pem ? (pem[1] ?? '') : text).replace(/\s+/g, ''), 'base64');
}

interface CheckedCertificate {
  der: Buffer;
  fingerprint: Buffer;
  notAfter: string;
}

function checkCertificate(
  organId: string,
  transport: KeyTransport,
  text: string,
): CheckedCertificate {
  const bad = (why: string, cause?: unknown): never => {
    throw new NiemError('invalid-input', `directory: ${organId}: ${why}`, { cause });
  };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificateDer(text));
    recipientCertificate(cert);
  } catch (err) {
    return bad('a certificate that cannot be read or sealed for', err);
  }
  const rsa = cert.publicKey.asymmetricKeyType === 'rsa';
  if (rsa !== (transport !== 'ecdh')) {
    bad(`keyTransport ${transport} does not fit its ${rsa ? 'RSA' : 'EC'} certificate`);
  }
  const der = Buffer.from(cert.raw);
  return {
    der,
    fingerprint: createHash('sha256').update(der).digest(),
    notAfter: new Date(cert.validTo).toISOString(),
  };
}

/**
 * Parses and checks a directory file's text; every agency and certificate is checked
 * before anything is written. Throws `invalid-input` naming the agency at fault.
 */
export function parseDirectory(text: string): z.infer<typeof DirectorySchema> {
  if (Buffer.byteLength(text) > MAX_DIRECTORY_BYTES) {
    throw new NiemError('invalid-input', 'directory: the file is larger than 16 MiB');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NiemError('invalid-input', 'directory: not JSON', { cause: err });
  }
  const parsed = DirectorySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NiemError(
      'invalid-input',
      `directory: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const seen = new Set<string>();
  for (const a of parsed.data.agencies) {
    if (seen.has(a.organId)) {
      throw new NiemError('invalid-input', `directory: ${a.organId} is listed twice`);
    }
    seen.add(a.organId);
  }
  return parsed.data;
}

/** Imports a directory file's text: all of it in one transaction, or nothing. */
export function importDirectory(vault: Vault, text: string): DirectoryImport {
  const directory = parseDirectory(text);
  const checked = directory.agencies.map((a) => ({
    ...a,
    certs: a.certificates.map((c) => checkCertificate(a.organId, a.keyTransport, c)),
  }));
  const now = vault.timestamp();
  return vault.transaction((db) => {
    const result: DirectoryImport = { added: [], replaced: [] };
    const remove = db.prepare('DELETE FROM agencies WHERE organ_id = ?');
    const agency = db.prepare(
      'INSERT INTO agencies (organ_id, name, clearance, updated_at) VALUES (?, ?, ?, ?)',
    );
    const certificate = db.prepare(
      `INSERT OR IGNORE INTO agency_certificates (organ_id, certificate, fingerprint, key_transport, not_after)
       VALUES (?, ?, ?, ?, ?)`,
    );
    for (const a of checked) {
      const existed = remove.run(a.organId).changes > 0;
      (existed ? result.replaced : result.added).push(a.organId);
      agency.run(a.organId, a.name, a.clearance, now);
      for (const c of a.certs) {
        certificate.run(a.organId, c.der, c.fingerprint, transports[a.keyTransport], c.notAfter);
      }
    }
    recordAudit(vault, db, {
      action: 'directory.import',
      detail: { added: result.added, replaced: result.replaced },
    });
    return result;
  });
}

interface AgencyRow {
  organ_id: string;
  name: string;
  clearance: LevelCode;
  updated_at: string;
}

function agencyOf(vault: Vault, row: AgencyRow): Agency {
  const certs = vault.database
    .prepare(
      'SELECT certificate, key_transport FROM agency_certificates WHERE organ_id = ? ORDER BY id',
    )
    .all(row.organ_id) as { certificate: Buffer; key_transport: string }[];
  return {
    organId: row.organ_id,
    name: row.name,
    clearance: row.clearance,
    keyTransport: fromColumn[certs[0]?.key_transport ?? ''] ?? 'oaep-sha256',
    certificates: certs.map((c) => new Uint8Array(c.certificate)),
    updatedAt: row.updated_at,
  };
}

/** The agency with `organId`, or undefined. */
export function getAgency(vault: Vault, organId: string): Agency | undefined {
  const row = vault.database
    .prepare('SELECT organ_id, name, clearance, updated_at FROM agencies WHERE organ_id = ?')
    .get(organId) as AgencyRow | undefined;
  return row === undefined ? undefined : agencyOf(vault, row);
}

/** Every agency, by OrganId. */
export function listAgencies(vault: Vault): Agency[] {
  const rows = vault.database
    .prepare('SELECT organ_id, name, clearance, updated_at FROM agencies ORDER BY organ_id')
    .all() as AgencyRow[];
  return rows.map((r) => agencyOf(vault, r));
}

/** The directory's names of `organIds` (those it knows), for lists. */
export function agencyNames(vault: Vault, organIds: Iterable<string>): Map<string, string> {
  const get = vault.database.prepare('SELECT name FROM agencies WHERE organ_id = ?').pluck();
  const names = new Map<string, string>();
  for (const organId of new Set(organIds)) {
    const name = get.get(organId) as string | undefined;
    if (name !== undefined) names.set(organId, name);
  }
  return names;
}
