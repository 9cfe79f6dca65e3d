/**
 * Upload start, status and completion (platform-wire.ts, "upload"). A package is identified by
 * its SHA-256: the first sender to start it owns it; starting it again (same sender
 * agency, same size, level and recipients) returns its status, with the receipt once it is
 * complete; anyone else is `forbidden`. Policy is applied at start (approved level,
 * recipients known and cleared) and the bytes are checked at completion
 * (./package-check.ts) before the platform signs its receipt. Completion is idempotent.
 */
import type { FastifyInstance } from 'fastify';
import {
  CompleteReplySchema,
  Sha256HexSchema,
  StartUploadRequestSchema,
  UploadStatusSchema,
  routes,
  type StartUploadRequest,
  type UploadStatus,
} from '../../native/exchange/platform-wire.ts';
import { levels } from '../../native/seal/levels.ts';
import type { UploadRecord } from '../store/platform-store.ts';
import { checkPackage, signReceipt } from './package-check.ts';
import {
  base64,
  nowIso,
  parseWith,
  sendJson,
  sessionOf,
  type PlatformContext,
} from './server-context.ts';
import { refusal } from './server-errors.ts';

/** Express a route template of platform-wire.ts in fastify's syntax (`{x}` → `:x`). */
export function fastifyPath(template: string): string {
  return template.replace(/\{([a-z0-9]+)\}/gi, ':$1');
}

/** How many chunks an upload has. */
export function chunkCountOf(upload: Pick<UploadRecord, 'size' | 'chunkBytes'>): number {
  return Math.ceil(upload.size / upload.chunkBytes);
}

/** The upload's status as the wire states it. */
export async function uploadStatus(
  context: PlatformContext,
  upload: UploadRecord,
): Promise<UploadStatus> {
  const status: UploadStatus = {
    sha256: upload.sha256,
    size: upload.size,
    chunkBytes: upload.chunkBytes,
    chunkCount: chunkCountOf(upload),
    received: await context.store.chunkIndices(upload.sha256),
    state: upload.state,
  };
  if (upload.state === 'complete' && upload.receipt !== null) {
    status.receipt = base64(upload.receipt);
  }
  return status;
}

/** The upload named by the `sha256` path parameter, owned by the session's agency. */
export async function ownedUpload(
  context: PlatformContext,
  params: unknown,
  organId: string,
): Promise<UploadRecord> {
  const sha256 = parseWith(Sha256HexSchema, (params as { sha256?: unknown }).sha256, 'sha256');
  const upload = await context.store.getUpload(sha256);
  if (upload === undefined) throw refusal('not-found', `no upload ${sha256}`);
  if (upload.sender !== organId) {
    throw refusal('forbidden', `the upload ${sha256} belongs to another sender agency`);
  }
  return upload;
}

function sameDeclaration(upload: UploadRecord, request: StartUploadRequest): boolean {
  const a = [...upload.recipients].sort();
  const b = [...request.recipients].sort();
  return (
    upload.size === request.size &&
    upload.level === request.level &&
    a.length === b.length &&
    a.every((r, i) => r === b[i])
  );
}

/**
 * Policy of an upload: the platform's approved level, each recipient known and cleared.
 * Checked at start and again at completion (an administrator may have changed either).
 */
async function checkPolicy(
  context: PlatformContext,
  request: Pick<StartUploadRequest, 'level' | 'recipients'>,
): Promise<void> {
  const config = await context.store.getConfig();
  const rank = levels[request.level].rank;
  if (rank > levels[config.approvedLevel].rank) {
    throw refusal(
      'level-not-approved',
      `this platform is approved up to ${config.approvedLevel}; the package is ${request.level}`,
    );
  }
  if (new Set(request.recipients).size !== request.recipients.length) {
    throw refusal('bad-request', 'a recipient is listed twice');
  }
  for (const organId of request.recipients) {
    const agency = await context.store.getAgency(organId);
    if (agency === undefined) {
      throw refusal('recipient-unknown', `${organId} is not in the directory`, organId);
    }
    if (levels[agency.clearance].rank < rank) {
      throw refusal(
        'recipient-not-cleared',
        `${organId} is cleared up to ${agency.clearance}; the package is ${request.level}`,
        organId,
      );
    }
  }
}

/** Answer to a start of a package the platform already knows. */
async function knownUpload(
  context: PlatformContext,
  upload: UploadRecord,
  request: StartUploadRequest,
  organId: string,
): Promise<UploadStatus> {
  if (upload.sender !== organId) {
    throw refusal('forbidden', `the package ${upload.sha256} was sent by another agency`);
  }
  if (!sameDeclaration(upload, request)) {
    throw refusal(
      'conflict',
      `the package ${upload.sha256} was declared with another size, level or recipients`,
    );
  }
  return uploadStatus(context, upload);
}

export function registerUploads(app: FastifyInstance, context: PlatformContext): void {
  app.post(routes.startUpload.path, async (request, reply) => {
    const body = parseWith(StartUploadRequestSchema, request.body, 'upload');
    const session = sessionOf(request);
    const existing = await context.store.getUpload(body.sha256);
    if (existing !== undefined) {
      const status = await knownUpload(context, existing, body, session.organId);
      return sendJson(context, reply, 200, UploadStatusSchema, status);
    }
    await checkPolicy(context, body);
    const config = await context.store.getConfig();
    const now = nowIso(context);
    const created = await context.store.createUpload(
      {
        sha256: body.sha256,
        size: body.size,
        level: body.level,
        sender: session.organId,
        senderCertificateSha256: session.certificateSha256,
        recipients: body.recipients,
        chunkBytes: config.chunkBytes,
      },
      now,
    );
    // Another request may have created it first (same sha256): answer as for a known one.
    const isNew = created.createdAt === now && created.state === 'open';
    const status = await knownUpload(context, created, body, session.organId);
    return sendJson(context, reply, isNew ? 201 : 200, UploadStatusSchema, status);
  });

  app.get(fastifyPath(routes.uploadStatus.path), async (request, reply) => {
    const upload = await ownedUpload(context, request.params, sessionOf(request).organId);
    return sendJson(context, reply, 200, UploadStatusSchema, await uploadStatus(context, upload));
  });

  app.post(fastifyPath(routes.completeUpload.path), async (request, reply) => {
    const session = sessionOf(request);
    const upload = await ownedUpload(context, request.params, session.organId);
    if (upload.state === 'complete' && upload.receipt !== null) {
      return sendJson(context, reply, 200, CompleteReplySchema, {
        receipt: base64(upload.receipt),
      });
    }
    const held = await context.store.chunkIndices(upload.sha256);
    const count = chunkCountOf(upload);
    if (held.length !== count) {
      throw refusal(
        'conflict',
        `the platform holds ${held.length} of the ${count} chunks; send the others first`,
      );
    }
    await checkPolicy(context, upload);
    await checkPackage(context, upload);
    const receivedAt = nowIso(context);
    const receipt = await signReceipt(context, upload, receivedAt);
    const completed = await context.store.completeUpload(upload.sha256, receipt, receivedAt);
    return sendJson(context, reply, 200, CompleteReplySchema, {
      receipt: base64(completed.receipt ?? receipt),
    });
  });
}
