/** The version of our HTTP API, as the OpenAPI document states it. */
export const API_VERSION = '1.0.0';
