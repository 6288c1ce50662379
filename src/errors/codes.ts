/**
 * The one list of error codes a client can see in `extensions.code`. A code, once shipped, is never renamed:
 * clients branch on it. Apollo's own names are reused where they fit.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  DEVICE_NOT_BOUND: 'DEVICE_NOT_BOUND',
  DRM_NOT_BOUND: 'DRM_NOT_BOUND',
  DEVICE_LIMIT_REACHED: 'DEVICE_LIMIT_REACHED',
  NOT_ENTITLED: 'NOT_ENTITLED',
  RENTAL_EXPIRED: 'RENTAL_EXPIRED',
  OFFLINE_NOT_ALLOWED: 'OFFLINE_NOT_ALLOWED',
  ENTITLEMENT_REVOKED: 'ENTITLEMENT_REVOKED',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  BAD_REQUEST: 'BAD_REQUEST',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

declare module 'graphql' {
  interface GraphQLErrorExtensions {
    code?: string;
    /** The input field at fault, for BAD_USER_INPUT. */
    field?: string;
    /** Seconds after which a retry may succeed (RATE_LIMITED, UPSTREAM_UNAVAILABLE, DEVICE_LIMIT_REACHED). */
    retryAfterSeconds?: number;
  }
}
