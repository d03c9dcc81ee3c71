/**
 * The base path of the platform's REST APIs: config-service and stats-service serve under it, the dashboard
 * proxies it to them unchanged, and the browser calls it on the dashboard's origin.
 */
export const API_BASE_PATH = "/api/integration";
