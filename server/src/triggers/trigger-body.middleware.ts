import { UnsupportedMediaTypeException } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { refuseDeepJson } from '../common/http/json-depth.js';
import { STRUCTURED_CONTENT_TYPE } from './cloud-event.js';

/** An alert is a few kilobytes; a structured CloudEvent larger than this is not one (413). */
export const CLOUD_EVENT_LIMIT = '256kb';

// The app parses application/json only; a structured CloudEvent has its own media type (same depth refusal).
const cloudEventJson = express.json({ type: STRUCTURED_CONTENT_TYPE, limit: CLOUD_EVENT_LIMIT, verify: refuseDeepJson });

/**
 * The trigger URL's body reader: JSON (parsed app-wide) or a structured CloudEvent (parsed here);
 * any other body is refused with 415 like everywhere else in the API, so a form post never fires
 * a trigger with its reason silently dropped. An empty POST fires whatever it declares.
 */
export const triggerBody = (req: Request, res: Response, next: NextFunction): void => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is(['application/json', STRUCTURED_CONTENT_TYPE])) {
    next(new UnsupportedMediaTypeException(`Send the request body as application/json or ${STRUCTURED_CONTENT_TYPE}`));
    return;
  }
  cloudEventJson(req, res, next);
};
