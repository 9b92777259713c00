/**
 * `UV_THREADPOOL_SIZE` the deployed app runs with (infra/app/api.bicep; a test holds the two equal). argon2
 * runs on libuv's thread pool, so the bench sizes it the same unless told otherwise.
 */
export const DEPLOYED_THREADPOOL_SIZE = "2";
