import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { ErrorCode } from '@newsfacts/platform/errors';
import { sendError } from '@newsfacts/platform/http';
import type { Logger } from '@newsfacts/platform/logger';
import { callerOf } from '../context';
import { documentIdOf, ManifestError, readManifest } from './manifest';
import type { TrustedDocumentStore } from './store';

const CLIENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** The client named in the path (express types a route parameter loosely). */
const clientOf = (req: express.Request) => String(req.params.client ?? '');

/**
 * /trusted-documents/<client>, for keys with the admin scope:
 *   POST  a manifest (graphql-codegen's persisted-documents.json, or Apollo's persisted query
 *         manifest): every document is checked first, and then all are stored in one statement, or
 *         none. Uploads add; documents already registered stay, so pages built earlier keep working.
 *   GET   the client's document ids.
 * The key is checked before the body is read, so nobody else can make the gateway parse a manifest.
 */
export function trustedDocumentRoutes({
  store,
  authenticate,
  schema,
  maxTokens,
  maxManifestBytes,
  logger,
}: {
  store: TrustedDocumentStore;
  authenticate: express.RequestHandler;
  schema: GraphQLSchema;
  maxTokens: number;
  maxManifestBytes: number;
  logger: Logger;
}): express.Router {
  const router = express.Router();

  const requireAdmin: express.RequestHandler = (req, res, next) => {
    const principal = callerOf(res);
    if (principal.kind === 'anonymous') {
      return sendError(res, 401, ErrorCode.UNAUTHENTICATED, 'Send an API key with the admin scope.');
    }
    if (!principal.scopes.includes('ADMIN')) {
      return sendError(
        res,
        403,
        ErrorCode.FORBIDDEN,
        'Registering trusted documents needs a key with the admin scope.',
      );
    }
    if (!CLIENT_NAME.test(clientOf(req))) {
      return sendError(
        res,
        400,
        ErrorCode.BAD_USER_INPUT,
        'A client name is 1-63 lowercase letters, digits and hyphens, starting with a letter or digit.',
      );
    }
    next();
  };

  router.get('/:client', authenticate, requireAdmin, async (req, res, next) => {
    try {
      const documents = await store.list(clientOf(req));
      res.json({
        client: clientOf(req),
        documents: documents.map((document) => ({
          id: documentIdOf(document.hash),
          registeredAt: document.registeredAt,
        })),
      });
    } catch (error) {
      next(error);
    }
  });

  router.post(
    '/:client',
    authenticate,
    requireAdmin,
    express.json({ limit: maxManifestBytes }),
    async (req, res, next) => {
      const client = clientOf(req);
      try {
        if (!req.is('application/json'))
          return sendError(
            res,
            415,
            ErrorCode.BAD_REQUEST,
            'Send the manifest as JSON (content-type: application/json).',
          );
        if (store.isFirstParty(client)) {
          return sendError(
            res,
            409,
            ErrorCode.CONFLICT,
            `${client} is a first-party client: its manifest ships with the gateway and is not uploaded.`,
          );
        }
        const documents = readManifest(req.body, schema, maxTokens);
        const principal = callerOf(res);
        const uploadedBy = principal.kind === 'key' ? principal.keyId : 'anonymous';
        const result = await store.add(client, documents, uploadedBy);
        logger.info({ client, keyId: uploadedBy, ...result }, 'trusted documents registered');
        res.json({ client, ...result });
      } catch (error) {
        if (error instanceof ManifestError)
          return sendError(res, 400, ErrorCode.INVALID_MANIFEST, error.message, { problems: error.problems });
        next(error);
      }
    },
  );

  // The body parser's refusals, in the API's own shape; anything else is logged and masked.
  router.use(
    (error: Error & { status?: number }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (res.headersSent) return next(error);
      if (error.status === 413) {
        return sendError(
          res,
          413,
          ErrorCode.PAYLOAD_TOO_LARGE,
          `The manifest is over MAX_MANIFEST_BYTES (${maxManifestBytes} bytes): upload it in parts.`,
        );
      }
      if (error.status === 400)
        return sendError(res, 400, ErrorCode.INVALID_MANIFEST, 'The manifest is not valid JSON.');
      logger.error({ err: error }, 'error registering trusted documents');
      sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.');
    },
  );
  return router;
}
