// Verifies an Accord grant with the `jose` npm package against the JWKS
// served over HTTP.
//
// usage: node verify_jose.mjs JWKS_URL AUDIENCE TOKEN
// Prints the verified claims as JSON and exits 0; prints why on stderr and
// exits 1 when the grant is refused.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [jwksUrl, audience, token] = process.argv.slice(2);
try {
  const jwks = createRemoteJWKSet(new URL(jwksUrl));
  const { payload } = await jwtVerify(token, jwks, {
    algorithms: ['ES256', 'EdDSA'],
    audience,
    typ: 'grant+jwt',
    requiredClaims: ['exp', 'iat', 'nbf', 'sub', 'jti'],
  });
  process.stdout.write(JSON.stringify(payload) + '\n');
  process.exit(0);
} catch (e) {
  process.stderr.write(`rejected: ${e.code ?? e.name}: ${e.message}\n`);
  process.exit(1);
}
