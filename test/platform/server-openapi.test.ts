/**
 * docs/platform-api.yaml against the contract it documents (native/exchange/platform-wire.ts)
 * and the server that serves it: the same routes both ways, the same error codes with the
 * statuses the server sends, the same fields (and required fields) in every body schema,
 * bearer security on every route but auth and health, and no dangling $ref.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { z } from 'zod';
import * as wire from '../../native/exchange/platform-wire.ts';
import { errorStatus } from '../../platform/server/server-errors.ts';
import { repoRoot } from '../../scripts/demo-manifest.ts';

interface Operation {
  security?: unknown[];
  responses?: Record<string, unknown>;
}
interface SchemaObject {
  properties?: Record<string, unknown>;
  required?: string[];
  enum?: string[];
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  security: unknown[];
  components: {
    schemas: Record<string, SchemaObject>;
    responses: { Error: { description: string } };
    securitySchemes: Record<string, { type: string; scheme: string }>;
  };
}

const text = readFileSync(join(repoRoot, 'docs/platform-api.yaml'), 'utf8');
const doc = parse(text) as OpenApi;
const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

describe('docs/platform-api.yaml', () => {
  it('is OpenAPI 3.1 with bearer security by default', () => {
    assert.match(doc.openapi, /^3\.1\./);
    const bearer = doc.components.securitySchemes.bearer;
    assert.deepEqual([bearer?.type, bearer?.scheme], ['http', 'bearer']);
    assert.deepEqual(doc.security, [{ bearer: [] }]);
  });

  it('documents exactly the routes of platform-wire.ts', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => methods.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const contract = Object.values(wire.routes).map((r) => `${r.method} ${r.path}`);
    assert.deepEqual([...documented].sort(), [...contract].sort());
  });

  it('leaves only auth and health open; every other route needs the bearer session', () => {
    const open = [wire.routes.challenge, wire.routes.session, wire.routes.health];
    for (const route of Object.values(wire.routes)) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      assert.ok(operation, route.path);
      const isOpen = open.some((o) => o.path === route.path);
      assert.deepEqual(operation.security, isOpen ? [] : undefined, route.path);
    }
  });

  it('lists the same error codes, with the statuses the server sends', () => {
    assert.deepEqual(doc.components.schemas.ErrorCode?.enum, [...wire.errorCodes]);
    const described = new Map(
      [...doc.components.responses.Error.description.matchAll(/([a-z-]+) (\d{3})/g)].map(
        (m) => [m[1], Number(m[2])] as const,
      ),
    );
    for (const code of wire.errorCodes) assert.equal(described.get(code), errorStatus[code], code);
  });

  it('gives every body schema the fields of its zod schema, the same ones required', () => {
    const pairs: Record<string, z.ZodObject> = {
      ErrorReply: wire.ErrorReplySchema,
      ChallengeReply: wire.ChallengeReplySchema,
      SessionRequest: wire.SessionRequestSchema,
      SessionReply: wire.SessionReplySchema,
      StartUploadRequest: wire.StartUploadRequestSchema,
      UploadStatus: wire.UploadStatusSchema,
      CompleteReply: wire.CompleteReplySchema,
      PackageEntry: wire.PackageEntrySchema,
      NoticeEntry: wire.NoticeEntrySchema,
      MailboxReply: wire.MailboxReplySchema,
      AckRequest: wire.AckRequestSchema,
      PostNoticeRequest: wire.PostNoticeRequestSchema,
      AuthStatement: wire.AuthStatementSchema,
      ReceiptStatement: wire.ReceiptStatementSchema,
      NoticeStatement: wire.NoticeStatementSchema,
    };
    for (const [name, schema] of Object.entries(pairs)) {
      const documented = doc.components.schemas[name];
      assert.ok(documented, name);
      const fields = Object.keys(schema.shape);
      assert.deepEqual(Object.keys(documented.properties ?? {}).sort(), [...fields].sort(), name);
      const required = fields.filter((f) => !schema.shape[f]?.safeParse(undefined).success);
      assert.deepEqual([...(documented.required ?? [])].sort(), required.sort(), name);
    }
  });

  it('has no $ref that points nowhere', () => {
    const refs = [...text.matchAll(/\$ref: '#\/([^']+)'/g)].map((m) => m[1] ?? '');
    assert.ok(refs.length > 20);
    for (const ref of refs) {
      let node: unknown = doc;
      for (const part of ref.split('/')) node = (node as Record<string, unknown>)[part];
      assert.ok(node !== undefined, ref);
    }
  });
});
