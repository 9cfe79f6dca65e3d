/**
 * Builds the background sync of the app for an open vault, from what the profile keeps:
 * the platform's address (`sync_state`, set by the first `niem sync --platform URL`) and
 * the trust anchors (`trust_anchors`), the only roots its TLS certificate, receipts,
 * notices and directory may chain to. The client signs in with the signed-in token (through
 * the token host: the key never leaves it); our agency is the signing certificate's
 * organizationIdentifier. Arriving packages go through native/sync's arrival path
 * (verified into the vault, registered, notices queued). No address: no sync, the app
 * works offline. Plain HTTP is never used here.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { NiemError } from '../api/errors.ts';
import {
  tokenRecipientKeys,
  tokenSigner,
  type TokenOperations,
} from '../seal/pipeline/token-adapters.ts';
import { parseCertificate } from '../seal/signed-data/index.ts';
import { receivePackage } from '../sync/inbox-arrival.ts';
import { createPlatformClient } from '../sync/platform-client.ts';
import { outboxEvent } from '../sync/sync-context.ts';
import { createSyncEngine, type SyncEvent } from '../sync/sync-engine.ts';
import {
  addTrustAnchors,
  getSyncState,
  setPlatformUrl,
  trustAnchorCertificates,
  type Vault,
} from '../vault/index.ts';
import type { SyncEngineEvent, SyncSetup } from './sync-service.ts';

/** Options of the app's sync (tests shorten the interval). */
export interface AppSyncOptions {
  /** Milliseconds between background runs when all is well (default: the engine's, 1 minute). */
  intervalMs?: number;
  /**
   * The platform the administrator provisioned in the settings (native/service/settings.ts):
   * adopted by a profile that has none of its own, once, when its vault opens.
   */
  provisioned?: ProvisionedPlatform;
}

/** A platform from the settings: its address and CA certificate files (PEM). */
export interface ProvisionedPlatform {
  url: string;
  trustAnchors: readonly string[];
}

/** The certificates (DER) of PEM files; a file without one is an error. */
function readPemCertificates(paths: readonly string[]): Uint8Array[] {
  return paths.flatMap((path) => {
    const text = readFileSync(path, 'utf8');
    const blocks = [
      ...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g),
    ];
    if (blocks.length === 0) {
      throw new NiemError(
        'invalid-input',
        `${path}: no PEM certificate in the settings' platform trust anchors`,
      );
    }
    return blocks.map(
      (b) => new Uint8Array(Buffer.from((b[1] ?? '').replace(/\s+/g, ''), 'base64')),
    );
  });
}

/**
 * Gives a profile without a platform the provisioned one (trust anchors first, so the
 * address never exists without them). Both steps are the vault's own audited changes.
 */
export function adoptProvisionedPlatform(vault: Vault, provisioned: ProvisionedPlatform): boolean {
  if (getSyncState(vault).platformUrl !== null) return false;
  addTrustAnchors(vault, readPemCertificates(provisioned.trustAnchors));
  setPlatformUrl(vault, provisioned.url);
  return true;
}

/** Intermediate CAs among the anchors (not self-issued): carried with our signatures. */
function intermediates(anchors: readonly Uint8Array[]): Uint8Array[] {
  return anchors.filter((der) => {
    const cert = new X509Certificate(der);
    return cert.subject !== cert.issuer;
  });
}

/**
 * Options from the environment: NIEM_SYNC_INTERVAL_MS shortens the background interval
 * (tests and demos; at least 1 s).
 */
export function syncOptions(env: NodeJS.ProcessEnv): AppSyncOptions {
  const ms = Number(env.NIEM_SYNC_INTERVAL_MS);
  return Number.isFinite(ms) && ms >= 1_000 ? { intervalMs: Math.floor(ms) } : {};
}

/** The engine's event as the sync service takes it; a notice becomes its outbox row's event. */
export function serviceEvent(vault: Vault, event: SyncEvent): SyncEngineEvent | undefined {
  switch (event.type) {
    case 'outbox':
      return event;
    case 'sync':
      return event;
    case 'inbox':
      return event.phase === 'receiving' ? undefined : { type: 'inbox', id: event.id };
    case 'notice':
      return event.accepted && event.outboxId !== null && vault.isOpen
        ? outboxEvent(vault, event.outboxId)
        : undefined;
  }
}

/** The `configureSync` of the vault service for the signed-in `token`. */
export function appSync(token: TokenOperations, options: AppSyncOptions = {}) {
  return async (
    vault: Vault,
    onEvent: (event: SyncEngineEvent) => void,
  ): Promise<SyncSetup | undefined> => {
    if (options.provisioned !== undefined) adoptProvisionedPlatform(vault, options.provisioned);
    const url = getSyncState(vault).platformUrl;
    if (url === null) return undefined;
    const trustAnchors = trustAnchorCertificates(vault);
    if (trustAnchors.length === 0) {
      throw new NiemError(
        'platform-untrusted',
        'the profile holds no trust anchor: the platform cannot be trusted',
      );
    }
    const certificate = await token.signingCertificate();
    const organId = parseCertificate(certificate).subject.organizationIdentifier;
    if (organId === undefined) {
      throw new NiemError(
        'key-usage-mismatch',
        'the signing certificate names no agency (organizationIdentifier)',
      );
    }
    const signer = () => tokenSigner(token);
    const certificates = intermediates(trustAnchors);
    const platform = createPlatformClient({
      url,
      trustAnchors,
      signer,
      organId,
      certificates,
      senderCertificateSha256: createHash('sha256').update(certificate).digest('hex'),
    });
    const engine = createSyncEngine({
      vault,
      platform,
      organId,
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      receivePackage: async (entry, client, signal) => {
        const received = await receivePackage(vault, entry, client, {
          keys: await tokenRecipientKeys(token),
          trustAnchors: trustAnchorCertificates(vault),
          signer: await signer(),
          organId,
          certificates,
          signal,
        });
        return { inboxId: received.inboxId };
      },
      onEvent: (event) => {
        const forService = serviceEvent(vault, event);
        if (forService !== undefined) onEvent(forService);
      },
    });
    return {
      platform: platform.origin,
      engine: {
        start: () => engine.start(),
        wake: () => engine.wake(),
        runOnce: () => engine.runOnce(undefined, { retryFailed: true }),
        stop: async () => {
          await engine.stop();
          await platform.close();
        },
      },
    };
  };
}
