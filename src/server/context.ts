import type { Logger } from 'pino';
import type { Viewer } from '../auth/viewer.js';
import { UnauthenticatedError } from '../errors/app-error.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { Services } from './services.js';

export interface RequestContext {
  readonly viewer: Viewer | null;
  /** New for every request. */
  readonly loaders: Loaders;
  readonly services: Services;
  readonly log: Logger;
  readonly requestId: string;
}

export function createContextFunction(services: Services) {
  return async (args: {
    authorization: string | undefined;
    requestId: string;
    log: Logger;
  }): Promise<RequestContext> => ({
    viewer: await services.authenticator.viewerFrom(args.authorization),
    loaders: createLoaders(services.expressplay, services.store, services.bindings),
    services,
    log: args.log,
    requestId: args.requestId,
  });
}

/** The signed-in viewer, or UNAUTHENTICATED. */
export function requireViewer(ctx: RequestContext): Viewer {
  if (ctx.viewer === null) throw new UnauthenticatedError();
  return ctx.viewer;
}
