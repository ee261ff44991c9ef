// Prints a private JWKS of fresh signing keys for provider.mjs, one per kid
// given (ES256 unless the kid is prefixed "EdDSA:"):
//
//   node keygen.mjs KID [KID...]  > keys.json
import { generateKeyPairSync } from 'node:crypto';

const kids = process.argv.slice(2);
if (kids.length === 0) {
  process.stderr.write('usage: node keygen.mjs KID [KID...]\n');
  process.exit(2);
}
const keys = kids.map((spec) => {
  const eddsa = spec.startsWith('EdDSA:');
  const kid = eddsa ? spec.slice('EdDSA:'.length) : spec;
  const { privateKey } = eddsa
    ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: eddsa ? 'EdDSA' : 'ES256' };
});
process.stdout.write(`${JSON.stringify({ keys })}\n`);
