// @accord/client: a partner's Node client of the Accord broker, and the
// grant verifier a Node data service uses. The public API; index.d.ts
// declares its types.
export { status } from '@grpc/grpc-js';

export { AccordClient } from './client.js';
export { RECONNECT_OPTIONS, devPaths, mtlsChannel, mtlsCredentials } from './channel.js';
export {
  AccessDenied, AccordError, ConfigurationError, RpcError, VerificationError, codeName,
} from './errors.js';
export { certificateThumbprint } from './grant_claims.js';
export { JwksSource, brokerKeysLoader } from './jwks.js';
export { cacheMaxAge, isLoopbackHost, parseJwksUrl } from './jwks_url.js';
export { parseJwks } from './jwk_set.js';
export { readPem } from './pem.js';
export { RevocationStream } from './revocation_stream.js';
export { RevocationWatcher } from './revocation_watcher.js';
export { RevokedGrants } from './revoked_grants.js';
export { GRANT_ALGORITHMS, GRANT_TYPE, GrantVerifier } from './verifier.js';
