// The HTTP side of the example data service: GET /records with a grant
// as `Authorization: Bearer GRANT`, verified against the client
// certificate of the TLS connection it came on.
import { AccordError, codeName, status } from '@accord/client';

import { serveRecords } from './record_access.js';

const HTTP_STATUS = new Map([
  [status.INVALID_ARGUMENT, 400],
  [status.UNAUTHENTICATED, 401],
  [status.PERMISSION_DENIED, 403],
  [status.NOT_FOUND, 404],
  [status.UNAVAILABLE, 503],
]);

function split(value) {
  return (value ?? '').split(',').filter((v) => v !== '');
}

function send(response, httpStatus, body, headers = {}) {
  const text = JSON.stringify(body);
  response.writeHead(httpStatus, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function sendError(response, error) {
  const httpStatus = HTTP_STATUS.get(error.code) ?? 500;
  // RFC 6750: a request without a usable bearer token is told so.
  const headers = httpStatus === 401 ? { 'WWW-Authenticate': 'Bearer error="invalid_token"' } : {};
  send(response, httpStatus, { code: codeName(error.code), message: error.details }, headers);
}

/**
 * A request listener for https.createServer serving the records a valid
 * grant covers: `verifier` a GrantVerifier, `knownSubjects` the
 * pseudonyms whose records this service holds.
 */
export function recordsHandler(verifier, knownSubjects) {
  return async (request, response) => {
    const url = new URL(request.url, 'https://data-service.invalid');
    if (request.method !== 'GET' || url.pathname !== '/records') {
      sendError(response, new AccordError(status.NOT_FOUND, 'only GET /records is served'));
      return;
    }
    const match = /^bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
    if (!match) {
      sendError(response, new AccordError(status.UNAUTHENTICATED,
        'grant: required (Authorization: Bearer GRANT)'));
      return;
    }
    try {
      const grant = await verifier.verify(match[1], request.socket.getPeerCertificate());
      const served = serveRecords(grant, split(url.searchParams.get('fields')),
        split(url.searchParams.get('subjects')), knownSubjects);
      send(response, 200, {
        fields: served.fields,
        records: served.records.map((r) => ({ subject: r.subject ?? '', values: r })),
        grant_id: grant.id,
      });
    } catch (e) {
      if (e instanceof AccordError) {
        sendError(response, e);
        return;
      }
      // A fault of the service's own: refused, logged, and the service
      // stays up for the next request.
      process.stderr.write(`records: ${e?.stack ?? e}\n`);
      sendError(response, new AccordError(status.INTERNAL, 'internal error'));
    }
  };
}
