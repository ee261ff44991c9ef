// Reading the PEM files a client or a verifier is configured with, with an
// error naming the option and the path when one cannot be used.
import { readFileSync, statSync } from 'node:fs';

import { status } from '@grpc/grpc-js';

import { ConfigurationError } from './errors.js';

// Certificates and keys are a few KiB; a larger file is a wrong path.
const MAX_PEM_BYTES = 1 << 20;

/**
 * The contents of the PEM file at `path`, as a Buffer. Throws
 * ConfigurationError naming `option` and the path when the file is missing
 * (NOT_FOUND), unreadable (PERMISSION_DENIED), not a regular file, too
 * large, or holds no PEM block (INVALID_ARGUMENT).
 */
export function readPem(option, path) {
  if (typeof path !== 'string' || path === '') {
    throw new ConfigurationError(option, 'no file named');
  }
  let data;
  try {
    const info = statSync(path);
    if (info.isDirectory()) throw new ConfigurationError(option, `${path}: is a directory`);
    if (!info.isFile()) throw new ConfigurationError(option, `${path}: not a regular file`);
    if (info.size > MAX_PEM_BYTES) throw new ConfigurationError(option, `${path}: larger than 1 MiB`);
    data = readFileSync(path);
  } catch (e) {
    if (e instanceof ConfigurationError) throw e;
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') {
      throw new ConfigurationError(option, `${path}: no such file`, status.NOT_FOUND);
    }
    if (e.code === 'EACCES' || e.code === 'EPERM') {
      throw new ConfigurationError(option, `${path}: cannot be read (permission denied)`,
        status.PERMISSION_DENIED);
    }
    throw new ConfigurationError(option, `${path}: cannot be read (${e.code ?? e.message})`,
      status.FAILED_PRECONDITION);
  }
  if (!data.includes('-----BEGIN ')) {
    throw new ConfigurationError(option, `${path}: not a PEM file`);
  }
  return data;
}
