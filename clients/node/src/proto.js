// The accord.v1 services, loaded at run time from the repository's
// proto/accord/v1/*.proto by @grpc/proto-loader: nothing generated is
// committed, and the client cannot drift from the protos it is run with.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadPackageDefinition, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

import { ConfigurationError } from './errors.js';

/** clients/node/src -> the repository's proto/ directory. */
export const DEFAULT_PROTO_ROOT = fileURLToPath(new URL('../../../proto/', import.meta.url));

// Field names as in the .proto files; 64-bit integers as decimal strings
// (a revision is read through toSafeInteger, never rounded); enums by name.
const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
};

const loaded = new Map();

/**
 * The accord.v1 namespace of grpc-js (service constructors) for the protos
 * under `protoRoot` (the directory holding accord/v1), loaded once per root.
 * ACCORD_PROTO_DIR names another root. Throws ConfigurationError "protoDir"
 * when there are no .proto files there or they do not load.
 */
export function accordV1(protoRoot = process.env.ACCORD_PROTO_DIR || DEFAULT_PROTO_ROOT) {
  const cached = loaded.get(protoRoot);
  if (cached) return cached;
  const dir = join(protoRoot, 'accord', 'v1');
  let files;
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.proto')).sort();
  } catch (e) {
    throw new ConfigurationError('protoDir', `${dir}: cannot be read (${e.code ?? e.message}); ` +
      'run from the repository or set ACCORD_PROTO_DIR', status.FAILED_PRECONDITION);
  }
  if (files.length === 0) {
    throw new ConfigurationError('protoDir', `${dir}: no .proto files`, status.FAILED_PRECONDITION);
  }
  let definition;
  try {
    definition = loadSync(files.map((f) => `accord/v1/${f}`), {
      ...LOADER_OPTIONS,
      includeDirs: [protoRoot],
    });
  } catch (e) {
    throw new ConfigurationError('protoDir', `${dir}: ${e.message}`, status.FAILED_PRECONDITION);
  }
  const v1 = loadPackageDefinition(definition).accord.v1;
  loaded.set(protoRoot, v1);
  return v1;
}
