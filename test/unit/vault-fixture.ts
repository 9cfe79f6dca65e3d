/**
 * Fixtures for the vault tests (not a test file): a throwaway PKI made with the openssl
 * CLI (a clerk with an RSA key, a recovery officer with an EC P-256 key, a new clerk with
 * EC P-384, a stranger), software RecipientKeys for them, temp profile folders, and
 * helpers to drain streams and assert error kinds.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NiemError } from '../../native/api/errors.ts';
import {
  recipientCertificate,
  softwareRecipientKey,
  type RecipientKey,
} from '../../native/seal/cms-crypto/index.ts';
import type { KeyHolder } from '../../native/vault/index.ts';

/** One party: key and certificate files, the KeyHolder to wrap for, the RecipientKey to open. */
export interface VaultParty {
  keyPath: string;
  certPath: string;
  holder: KeyHolder;
  key: RecipientKey;
}

export interface VaultPki {
  dir: string;
  clerk: VaultParty;
  recovery: VaultParty;
  newClerk: VaultParty;
  stranger: VaultParty;
  dispose: () => void;
}

const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
};

/** The RecipientKey of a key/certificate pair on disk. */
export function partyKey(keyPath: string, certPath: string): RecipientKey {
  return softwareRecipientKey(
    createPrivateKey(readFileSync(keyPath)),
    recipientCertificate(readFileSync(certPath)),
  );
}

function party(dir: string, name: string, keyArgs: string[], cn: string): VaultParty {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.pem`);
  const csr = join(dir, `${name}.csr`);
  openssl(['genpkey', ...keyArgs, '-out', keyPath]);
  openssl([
    'req',
    '-new',
    '-utf8',
    '-key',
    keyPath,
    '-subj',
    `/C=VN/O=Niêm TEST/CN=${cn}`,
    '-out',
    csr,
  ]);
  // prettier-ignore
  openssl([
    'x509', '-req', '-in', csr, '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'),
    '-set_serial', `0x${(Math.floor(Math.random() * 2 ** 40) + 2 ** 40).toString(16)}`,
    '-days', '2', '-extfile', join(dir, 'ext.cnf'), '-out', certPath,
  ]);
  return {
    keyPath,
    certPath,
    holder: { certificate: readFileSync(certPath) },
    key: partyKey(keyPath, certPath),
  };
}

/** Makes the CA and the four parties (well under a second). */
export function makeVaultPki(): VaultPki {
  const dir = mkdtempSync(join(tmpdir(), 'niem-vault-pki-'));
  writeFileSync(
    join(dir, 'ext.cnf'),
    'basicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\nkeyUsage=critical,keyEncipherment,keyAgreement\n',
  );
  // prettier-ignore
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-utf8',
    '-keyout', join(dir, 'ca.key'), '-subj', '/C=VN/CN=Niêm vault TEST CA', '-days', '2',
    '-out', join(dir, 'ca.pem'),
  ]);
  const rsa = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
  const ec = (curve: string) => ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`];
  return {
    dir,
    clerk: party(dir, 'clerk', rsa, 'Văn thư RSA'),
    recovery: party(dir, 'recovery', ec('P-256'), 'Khôi phục'),
    newClerk: party(dir, 'new-clerk', ec('P-384'), 'Văn thư mới'),
    stranger: party(dir, 'stranger', rsa, 'Người lạ'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh temp folder (the profile lives in `path/profile`). */
export function tempProfile(prefix: string): { dir: string; profile: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `niem-${prefix}-`));
  return {
    dir,
    profile: join(dir, 'profile'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every chunk of `source`, concatenated. */
export async function drain(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** Asserts that `work` fails with a NiemError of `kind`; returns it. */
export async function rejectsWithKind(
  work: Promise<unknown> | (() => unknown),
  kind: string,
): Promise<NiemError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    assert.ok(err instanceof NiemError, `expected a NiemError ${kind}, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    return err;
  }
  assert.fail(`expected ${kind}, but it succeeded`);
}
