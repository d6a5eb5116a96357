/** Injection tokens for platform objects that are not classes of their own. */
export const LOGGER = Symbol('poort.logger');
export const DB_POOL = Symbol('poort.db-pool');
export const PLATFORM_OPTIONS = Symbol('poort.platform-options');
