// A JWK set of grant keys: ES256 (P-256) and EdDSA (Ed25519) public keys
// only, each with its kid, imported once with jose.
import { importJWK } from 'jose';

// Key types and curves a grant key may have, and the "alg" each verifies.
const ALGORITHM_OF_KEY = new Map([['EC P-256', 'ES256'], ['OKP Ed25519', 'EdDSA']]);

/**
 * kid -> {kid, algorithm, key} of a JWK set (text or Buffer). Rejects with
 * an Error naming the key at fault: not JSON, no "keys" array, a key
 * without kid or with the same kid twice, a private key, another type or
 * curve, an "alg" or "use" that does not fit, a key that does not import.
 */
export async function parseJwks(text) {
  let document;
  try {
    document = JSON.parse(String(text));
  } catch (e) {
    throw new Error(`not JSON (${e.message})`);
  }
  if (document === null || typeof document !== 'object' || !Array.isArray(document.keys)) {
    throw new Error('not a JWK set (no "keys" array)');
  }
  const keys = new Map();
  for (const [i, jwk] of document.keys.entries()) {
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) {
      throw new Error(`keys[${i}]: not an object`);
    }
    const { kid } = jwk;
    if (typeof kid !== 'string' || kid === '') throw new Error(`keys[${i}]: no kid`);
    const at = `keys[${i}] (${kid})`;
    if (keys.has(kid)) throw new Error(`keys[${i}]: kid ${kid} appears twice`);
    if ('d' in jwk) throw new Error(`${at}: holds a private key`);
    const algorithm = ALGORITHM_OF_KEY.get(`${jwk.kty} ${jwk.crv}`);
    if (algorithm === undefined) throw new Error(`${at}: not a P-256 or Ed25519 key`);
    if ((jwk.alg ?? algorithm) !== algorithm) throw new Error(`${at}: alg ${jwk.alg} does not fit the key`);
    if ((jwk.use ?? 'sig') !== 'sig') throw new Error(`${at}: use is not sig`);
    let key;
    try {
      key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, algorithm);
    } catch (e) {
      throw new Error(`${at}: ${e.message}`);
    }
    keys.set(kid, Object.freeze({ kid, algorithm, key }));
  }
  return keys;
}
