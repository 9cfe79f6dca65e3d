/**
 * `niem platform admin …`: the directory (agencies, their clerk certificates, clearance,
 * key transport) and the policy (approved level, name, chunk size) of a platform, in its
 * store. A directory import takes the vault's `niem-directory` file and replaces each
 * agency it lists whole (name, clearance, transport and certificates); everything in the
 * file is checked before anything is written.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { say } from '../../cli/cli-messages.ts';
import { CommandFailure } from '../../cli/token-prompt.ts';
import { OrganIdSchema } from '../../native/seal/manifest.ts';
import { parseDirectory } from '../../native/vault/directory.ts';
import type { KeyTransport, PlatformStore } from '../store/platform-store.ts';
import { pemCertificates, readCertificates, readSettings, readText } from './platform-files.ts';
import { platformMessages as m } from './platform-messages.ts';
import { levelOption, openPlatformStore, type PlatformCommon } from './serve-command.ts';

/** What an admin command was given on its command line. */
export interface AdminArgs {
  words: string[];
  organId: string | undefined;
  name: string | undefined;
  clearance: string | undefined;
  keyTransport: string | undefined;
  approvedLevel: string | undefined;
  chunkBytes: string | undefined;
}

const transports: readonly KeyTransport[] = ['oaep-sha256', 'oaep-sha1', 'ecdh'];

function usageFailure(common: PlatformCommon, option: string): CommandFailure {
  return new CommandFailure(say(m.missingOption, common.lang, { option }), 2);
}

function organIdOf(common: PlatformCommon, value: string | undefined): string {
  if (value === undefined) throw usageFailure(common, '--organ-id');
  if (!OrganIdSchema.safeParse(value).success) {
    throw new CommandFailure(
      say(m.badValue, common.lang, {
        option: '--organ-id',
        detail: 'must look like 000.00.00.G22',
      }),
      2,
    );
  }
  return value;
}

/** Refuses a certificate that is a CA or whose key does not fit the agency's transport. */
function checkClerkCertificate(der: Buffer, transport: KeyTransport, organId: string): void {
  const cert = new X509Certificate(der);
  if (cert.ca) throw new Error(`${organId}: a CA certificate is not a clerk certificate`);
  const rsa = cert.publicKey.asymmetricKeyType === 'rsa';
  if (rsa !== (transport !== 'ecdh')) {
    throw new Error(
      `${organId}: keyTransport ${transport} does not fit a ${rsa ? 'RSA' : 'EC'} key`,
    );
  }
}

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');

async function importDirectory(
  common: PlatformCommon,
  store: PlatformStore,
  path: string,
): Promise<string> {
  const invalid = (detail: string) =>
    new CommandFailure(say(m.directoryInvalid, common.lang, { path, detail }), 1);
  let agencies;
  try {
    agencies = parseDirectory(readText(path, common.lang)).agencies.map((a) => {
      const certificates = a.certificates.map((text) => {
        const [der] = pemCertificates(text.includes('BEGIN') ? text : pemOf(text));
        if (der === undefined) throw new Error(`${a.organId}: a certificate cannot be read`);
        checkClerkCertificate(der, a.keyTransport, a.organId);
        return der;
      });
      return { ...a, certificates };
    });
  } catch (err) {
    if (err instanceof CommandFailure) throw err;
    throw invalid((err as Error).message);
  }
  // A certificate held by an agency the file does not replace cannot move to another.
  const listed = new Set(agencies.map((a) => a.organId));
  for (const a of agencies) {
    for (const der of a.certificates) {
      const held = await store.findCertificate(sha256(der));
      if (held !== undefined && held.organId !== a.organId && !listed.has(held.organId)) {
        throw invalid(`${a.organId}: a certificate already belongs to ${held.organId}`);
      }
    }
  }
  const snapshot = await store.directory();
  let added = 0;
  let replaced = 0;
  for (const a of agencies) {
    const kind = await store.putAgency({
      organId: a.organId,
      name: a.name,
      clearance: a.clearance,
      keyTransport: a.keyTransport,
    });
    if (kind === 'added') added += 1;
    else replaced += 1;
    const keep = new Set(a.certificates.map(sha256));
    const old = snapshot.agencies.find((x) => x.organId === a.organId)?.certificates ?? [];
    for (const der of old) if (!keep.has(sha256(der))) await store.removeCertificate(sha256(der));
  }
  let certificates = 0;
  for (const a of agencies) {
    for (const der of a.certificates) {
      const held = await store.findCertificate(sha256(der));
      if (held !== undefined && held.organId !== a.organId)
        await store.removeCertificate(held.sha256);
      await store.addCertificate(a.organId, der);
      certificates += 1;
    }
  }
  return say(m.directoryImported, common.lang, { added, replaced, certificates });
}

function pemOf(base64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/\s+/g, '')}\n-----END CERTIFICATE-----`;
}

async function listAgencies(common: PlatformCommon, store: PlatformStore): Promise<string> {
  const { agencies } = await store.directory();
  if (common.json) {
    return JSON.stringify(
      agencies.map((a) => ({
        organId: a.organId,
        name: a.name,
        clearance: a.clearance,
        keyTransport: a.keyTransport,
        certificates: a.certificates.map(sha256),
      })),
    );
  }
  if (agencies.length === 0) return say(m.noAgencies, common.lang);
  return agencies
    .map((a) =>
      say(m.agencyLine, common.lang, {
        organId: a.organId,
        name: a.name,
        clearance: a.clearance,
        keyTransport: a.keyTransport,
        certificates: a.certificates.length,
      }),
    )
    .join('\n');
}

async function addCertificates(
  common: PlatformCommon,
  store: PlatformStore,
  organId: string,
  path: string,
): Promise<string> {
  const agency = await store.getAgency(organId);
  if (agency === undefined) {
    throw new CommandFailure(say(m.agencyUnknown, common.lang, { organId }), 1);
  }
  const ders = readCertificates(path, common.lang).filter((der) => !new X509Certificate(der).ca);
  const lines: string[] = [];
  for (const der of ders) {
    try {
      checkClerkCertificate(der, agency.keyTransport, organId);
      const added = await store.addCertificate(organId, der);
      const text = added ? m.certificateAdded : m.certificateAlready;
      lines.push(say(text, common.lang, { sha256: sha256(der), organId }));
    } catch (err) {
      const detail = (err as Error).message;
      throw new CommandFailure(say(m.certificateRefused, common.lang, { detail }), 1);
    }
  }
  if (lines.length === 0) throw new CommandFailure(say(m.noCertificate, common.lang, { path }), 1);
  return lines.join('\n');
}

async function policy(common: PlatformCommon, store: PlatformStore, args: AdminArgs, set: boolean) {
  const { lang } = common;
  let config = await store.getConfig();
  if (set) {
    const change: Parameters<PlatformStore['setConfig']>[0] = {};
    if (args.approvedLevel !== undefined)
      change.approvedLevel = levelOption(args.approvedLevel, lang);
    if (args.name !== undefined) change.platformName = args.name;
    if (args.chunkBytes !== undefined) {
      if (!/^[0-9]{1,10}$/.test(args.chunkBytes)) {
        throw new CommandFailure(
          say(m.badValue, lang, { option: '--chunk-bytes', detail: args.chunkBytes }),
          2,
        );
      }
      change.chunkBytes = Number(args.chunkBytes);
    }
    if (Object.keys(change).length === 0) throw new CommandFailure(say(m.policyNothing, lang), 2);
    config = await store.setConfig(change);
  }
  if (common.json) return JSON.stringify(config);
  return say(m.policy, lang, {
    name: config.platformName,
    level: config.approvedLevel,
    chunkBytes: config.chunkBytes,
  });
}

/** Runs one admin command; returns what to print, or undefined when the words are unknown. */
export async function adminCommand(
  common: PlatformCommon,
  args: AdminArgs,
): Promise<string | undefined> {
  const { lang } = common;
  const [group, action, operand, ...extra] = args.words;
  const command = `${group ?? ''} ${action ?? ''}`;
  const operands = operand === undefined ? 0 : 1 + extra.length;
  const known: Record<string, number> = {
    'directory import': 1,
    'agency add': 0,
    'agency remove': 0,
    'agency list': 0,
    'certificate add': 1,
    'certificate remove': 1,
    'policy set': 0,
    'policy show': 0,
  };
  if (known[command] === undefined || known[command] !== operands) return undefined;
  const settings = readSettings(common.dir, lang);
  const store = await openPlatformStore(common, settings);
  try {
    switch (command) {
      case 'directory import':
        return await importDirectory(common, store, operand as string);
      case 'agency add': {
        const organId = organIdOf(common, args.organId);
        if (args.name === undefined || args.name.trim() === '')
          throw usageFailure(common, '--name');
        if (args.clearance === undefined) throw usageFailure(common, '--clearance');
        const transport = args.keyTransport;
        if (transport === undefined || !(transports as readonly string[]).includes(transport)) {
          throw usageFailure(common, '--key-transport oaep-sha256|oaep-sha1|ecdh');
        }
        const kind = await store.putAgency({
          organId,
          name: args.name.trim(),
          clearance: levelOption(args.clearance, lang),
          keyTransport: transport as KeyTransport,
        });
        return say(kind === 'added' ? m.agencyAdded : m.agencyReplaced, lang, { organId });
      }
      case 'agency remove': {
        const organId = organIdOf(common, args.organId);
        if (!(await store.removeAgency(organId))) {
          throw new CommandFailure(say(m.agencyUnknown, lang, { organId }), 1);
        }
        return say(m.agencyRemoved, lang, { organId });
      }
      case 'agency list':
        return await listAgencies(common, store);
      case 'certificate add':
        return await addCertificates(
          common,
          store,
          organIdOf(common, args.organId),
          operand as string,
        );
      case 'certificate remove': {
        const hash = (operand as string).toLowerCase();
        if (!(await store.removeCertificate(hash))) {
          throw new CommandFailure(say(m.certificateUnknown, lang, { sha256: hash }), 1);
        }
        return say(m.certificateRemoved, lang, { sha256: hash });
      }
      default:
        return await policy(common, store, args, command === 'policy set');
    }
  } finally {
    await store.close();
  }
}
