/**
 * `niem inspect`: what a package says about itself without a key. The header and the
 * recipients are read, the ciphertext is streamed past (counted, never kept), then the
 * authAttrs give the format version and the outer level. Nothing here is verified: the
 * level is a claim until a recipient opens the package (the GCM tag binds it).
 */
import {
  BerReader,
  decodeBer,
  readOid,
  readString,
  type AsnNode,
  type ByteInput,
} from '../ber/index.ts';
import type { ParsedRecipient } from '../cms-crypto/index.ts';
import type { LevelCode } from '../levels.ts';
import { readEnvelopeHeader, readEnvelopeTrailer } from './read-header.ts';

/** One recipient as named in the package. */
export interface InspectedRecipient {
  /** 'ktri' (RSA-OAEP), 'kari' (ECDH), or 'unsupported' (another kind or algorithm). */
  type: ParsedRecipient['type'];
  /** Issuer distinguished name (RFC 4514-like) and serial number (hex), or a SKI (hex). */
  issuer?: string;
  serial?: string;
  subjectKeyIdentifier?: string;
  /** The algorithm or, for an unsupported entry, what it is. */
  description: string;
}

export interface InspectedEnvelope {
  /** NiemEnvelopeInfo formatVersion; undefined for a package made by another tool. */
  formatVersion: number | undefined;
  /** The outer level as stated; undefined when not stated. */
  level: LevelCode | undefined;
  levelStatus: 'unverified until opened' | 'not stated';
  recipients: InspectedRecipient[];
  contentType: string;
  /** Bytes of the package and of the encrypted content. */
  size: number;
  encryptedBytes: number;
}

const attributeNames: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

const kids = (n: AsnNode | undefined): readonly AsnNode[] =>
  n !== undefined && n.constructed ? n.children : [];

/** A Name's DER as `CN=…, O=…` (most significant RDN last, as RFC 4514 orders it). */
export function formatName(der: Uint8Array): string {
  try {
    const rdns = kids(decodeBer(der)).map((rdn) =>
      kids(rdn)
        .map((atv) => {
          const [type, value] = kids(atv);
          const dotted = type === undefined ? '?' : readOid(type);
          let text: string;
          try {
            text = value === undefined ? '' : readString(value);
          } catch {
            text = `#${Buffer.from(value?.raw ?? []).toString('hex')}`;
          }
          return `${attributeNames[dotted] ?? dotted}=${text}`;
        })
        .join('+'),
    );
    return rdns.reverse().join(', ');
  } catch {
    return `#${Buffer.from(der).toString('hex')}`;
  }
}

function describe(recipient: ParsedRecipient): InspectedRecipient {
  const out: InspectedRecipient = {
    type: recipient.type,
    description:
      recipient.type === 'ktri'
        ? recipient.algorithm
        : recipient.type === 'kari'
          ? `ecdh-x963-${recipient.kdfHash}`
          : recipient.description,
  };
  const rid = recipient.rid;
  if (rid?.kind === 'issuer-serial') {
    out.issuer = formatName(rid.issuer);
    const serial = decodeBer(rid.serial);
    out.serial = serial.constructed ? '' : Buffer.from(serial.value).toString('hex');
  } else if (rid?.kind === 'ski') {
    out.subjectKeyIdentifier = rid.subjectKeyIdentifier.toString('hex');
  }
  return out;
}

/** Reads what a package states about itself, streaming past the ciphertext. */
export async function inspectEnvelope(source: ByteInput): Promise<InspectedEnvelope> {
  const reader = new BerReader(source, { maxDepth: 32 });
  try {
    const header = await readEnvelopeHeader(reader);
    let encryptedBytes = 0;
    for await (const chunk of reader.contents(header.ciphertext)) encryptedBytes += chunk.length;
    const { attributes } = await readEnvelopeTrailer(reader);
    const level = attributes.label?.level;
    return {
      formatVersion: attributes.formatVersion,
      level,
      levelStatus: level === undefined ? 'not stated' : 'unverified until opened',
      recipients: header.recipients.map(describe),
      contentType: header.contentType,
      size: reader.offset,
      encryptedBytes,
    };
  } finally {
    await reader.close().catch(() => undefined);
  }
}
