/**
 * POST /v1/notices: a business-status notice (DOMAIN.md: 01 arrived, 02 refused, 03
 * registered …) signed by a clerk of the session's agency, relayed into the package
 * sender's mailbox. The platform checks the signature and chain, that the signer's
 * certificate is in the directory for the session's agency, that `from` is that agency,
 * that the package was delivered to it and that `to` is the package's sender. Every
 * refusal is `notice-refused` naming the check. 201 when stored, 202 when already held.
 */
import type { FastifyInstance } from 'fastify';
import { NiemError } from '../../native/api/errors.ts';
import { PostNoticeRequestSchema, routes } from '../../native/exchange/platform-wire.ts';
import { verifyStatement } from '../../native/exchange/signed-statement.ts';
import {
  fromBase64,
  nowIso,
  parseWith,
  sessionOf,
  type PlatformContext,
} from './server-context.ts';
import { refusal } from './server-errors.ts';

export function registerNotices(app: FastifyInstance, context: PlatformContext): void {
  app.post(routes.postNotice.path, async (request, reply) => {
    const session = sessionOf(request);
    const body = parseWith(PostNoticeRequestSchema, request.body, 'notice');
    const der = fromBase64(body.notice);
    let verified;
    try {
      verified = await verifyStatement(der, {
        type: 'niem-notice',
        trustAnchors: context.trustAnchors,
        now: context.now(),
      });
    } catch (err) {
      if (err instanceof NiemError) {
        throw refusal('notice-refused', `the notice does not verify: ${err.message}`);
      }
      throw err;
    }
    const { statement } = verified;
    const record = await context.store.findCertificate(verified.certificateSha256);
    if (record === undefined || record.organId !== session.organId) {
      throw refusal(
        'notice-refused',
        `the notice is not signed by a clerk certificate of ${session.organId} in the directory`,
      );
    }
    if (verified.organId !== session.organId) {
      throw refusal(
        'notice-refused',
        `the signer certificate names OrganId ${verified.organId ?? '(none)'}, not ${session.organId}`,
      );
    }
    if (statement.from !== session.organId) {
      throw refusal(
        'notice-refused',
        `the notice is from ${statement.from}; this session is ${session.organId}`,
      );
    }
    if (statement.status === '02' && statement.reason === undefined) {
      throw refusal('notice-refused', 'a refusal (02) must state its reason');
    }
    const upload = await context.store.getUpload(statement.sha256);
    if (
      upload === undefined ||
      upload.state !== 'complete' ||
      !upload.recipients.includes(statement.from)
    ) {
      throw refusal(
        'notice-refused',
        `the package ${statement.sha256} was not delivered to ${statement.from}`,
      );
    }
    if (statement.to !== upload.sender) {
      throw refusal(
        'notice-refused',
        `the notice is addressed to ${statement.to}; the package's sender is ${upload.sender}`,
      );
    }
    const result = await context.store.addNotice(
      {
        sha256: upload.sha256,
        from: statement.from,
        to: upload.sender,
        status: statement.status,
        der,
      },
      nowIso(context),
    );
    return reply.code(result === 'stored' ? 201 : 202).send();
  });
}
