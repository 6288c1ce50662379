/**
 * Errors we mean clients to see. Each sets its code in one place and carries a message a person can act on.
 * Anything thrown that is not an AppError (or a GraphQL request error) is masked (error-policy.ts).
 */
import { GraphQLError } from 'graphql';
import { ErrorCode } from './codes.js';

export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extra: { field?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message, { extensions: { code, ...extra } });
    this.name = this.constructor.name;
  }
}

/**
 * Why a presented token was refused, for clients that refresh an expired token silently but send the user to
 * sign in again for anything else. Absent when no token was sent.
 */
export type TokenProblem = 'TOKEN_EXPIRED' | 'TOKEN_INVALID' | 'MALFORMED_HEADER';

export class UnauthenticatedError extends AppError {
  constructor(
    message = 'Sign in first: send "Authorization: Bearer <token>" with a valid, unexpired token.',
    readonly tokenProblem?: TokenProblem,
  ) {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are signed in but not allowed to do this.') {
    super(ErrorCode.FORBIDDEN, message);
  }
}

/** Also used for things that exist but belong to another user, so that ids of other users' data leak nothing. */
export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(ErrorCode.NOT_FOUND, `No ${what} with id "${truncate(id)}" exists for you.`);
  }
}

export class BadUserInputError extends AppError {
  constructor(field: string, message: string) {
    super(ErrorCode.BAD_USER_INPUT, message, { field });
  }
}

/**
 * ExpressPlay refuses to bind this DRM's licenses to a device on the platform's account. The client can ask for
 * another DRM; the operator is told too (error-policy.ts), since every request with this DRM will fail.
 */
export class DrmWithoutDeviceBindingError extends BadUserInputError {
  constructor(
    readonly drm: string,
    readonly upstreamCode: number | undefined,
    alternatives: readonly string[],
  ) {
    super(
      'drm',
      `ExpressPlay does not bind ${drm} licenses to a device on this service's account, so it cannot issue one. ` +
        `Ask for ${alternatives.join(' or ')} instead, with a binding made for that DRM (bindDevice with drm); ` +
        'your purchase or rental is kept: retry with the same idempotencyKey.',
    );
  }
}

export class DeviceNotBoundError extends AppError {
  constructor(message: string) {
    super(ErrorCode.DEVICE_NOT_BOUND, message);
  }
}

/**
 * A binding holds the device id of the one DRM system it was made with (each DRM on a device reports its own id),
 * so a license for another DRM could never play on that device. The client binds the device for that DRM too.
 */
export class DrmNotBoundError extends AppError {
  constructor(bindingDrm: string, requestedDrm: string) {
    super(
      ErrorCode.DRM_NOT_BOUND,
      `This device binding holds the device's ${bindingDrm} id, and a ${requestedDrm} license is bound to the ` +
        `device's ${requestedDrm} id. Bind this device for ${requestedDrm} (bindDevice with drm: ${requestedDrm}) ` +
        `and use that binding, or ask for ${bindingDrm} with this one. Your purchase or rental is kept: retry ` +
        'with the same idempotencyKey.',
      { field: 'drm' },
    );
  }
}

export class DeviceLimitReachedError extends AppError {
  constructor(message: string, retryAfterSeconds?: number) {
    super(ErrorCode.DEVICE_LIMIT_REACHED, message, retryAfterSeconds ? { retryAfterSeconds } : {});
  }
}

export class NotEntitledError extends AppError {
  constructor(contentId: string) {
    super(
      ErrorCode.NOT_ENTITLED,
      `You have no purchase or rental of content "${truncate(contentId)}". Purchase or rent it first.`,
    );
  }
}

export class RentalExpiredError extends AppError {
  constructor(contentId: string, expiredAt: Date) {
    super(
      ErrorCode.RENTAL_EXPIRED,
      `Your rental of content "${truncate(contentId)}" ended at ${expiredAt.toISOString()}. Rent it again to watch.`,
    );
  }
}

/**
 * An offline (persistent) license was asked for where none can be had: the title's policy is streaming only
 * (`field: offline`), or the DRM system issues no persistent license through ExpressPlay (`field: drm`). A code of
 * its own rather than BAD_USER_INPUT: nothing is malformed, and a client switches on it to hide its download button.
 */
export class OfflineNotAllowedError extends AppError {
  constructor(field: 'offline' | 'drm', message: string) {
    super(ErrorCode.OFFLINE_NOT_ALLOWED, message, { field });
  }
}

/** An admin revoked the entitlement (refund, chargeback): no new license for it. */
export class EntitlementRevokedError extends AppError {
  constructor(contentId: string, revokedAt: Date) {
    super(
      ErrorCode.ENTITLEMENT_REVOKED,
      `Your entitlement to content "${truncate(contentId)}" was revoked at ${revokedAt.toISOString()} and gets ` +
        'no new license; see revokeReason in entitlements. Purchase or rent it again (with a new idempotencyKey) to watch.',
    );
  }
}

export class RateLimitedError extends AppError {
  constructor(action: string, retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `Too many ${action} requests. Try again in ${retryAfterSeconds} seconds.`, {
      retryAfterSeconds,
    });
  }
}

/**
 * A user's budget of ExpressPlay calls is spent, for this request or for this minute (policy/upstream-budget.ts).
 * Same code as the other rate limits: a client handles them alike, waiting `retryAfterSeconds`.
 */
export class UpstreamBudgetExceededError extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, message, { retryAfterSeconds });
  }
}

/** What failed upstream, for the operator's log line; never sent to the client. */
export interface UpstreamFailure {
  readonly what: string;
  readonly operation: string;
  readonly status: number | undefined;
  readonly reason: string;
}

export class UpstreamUnavailableError extends AppError {
  constructor(
    readonly failure?: UpstreamFailure,
    message = 'The DRM license service is not responding. Nothing was lost: try again shortly.',
    retryAfterSeconds = 5,
  ) {
    super(ErrorCode.UPSTREAM_UNAVAILABLE, message, { retryAfterSeconds });
  }
}

/** Ids come from clients: never echo an unbounded string back. */
function truncate(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}
