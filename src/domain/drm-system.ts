/**
 * Facts about the domain that the store, the ExpressPlay client and the services all speak of, kept apart so that
 * none of them has to import another for a name.
 */

/** DRM systems the service issues tokens for, as ExpressPlay names them in its paths (`/hms/<drm>/token`). */
export type DrmSystem = 'fp' | 'wv' | 'pr';
