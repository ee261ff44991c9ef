// The public API of @accord/client (src/index.js), for TypeScript and for
// editors. node_types_test checks it against the example data service and
// tests/types_check.ts.
import type { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';

import type { Channel, ChannelOptions, status as grpcStatus } from '@grpc/grpc-js';

/** The gRPC status codes (grpc-js's `status`): `status.NOT_FOUND` is 5. */
export declare const status: typeof grpcStatus;
export type StatusCode = grpcStatus;

/** The name of a status code ("NOT_FOUND"); "UNKNOWN" out of range. */
export declare function codeName(code: number): string;

// Errors

/** Why a decision went the way it did (accord.v1.Reason). */
export interface Reason {
  /** e.g. "rule_permitted", "subjects_without_consent", "prohibited". */
  readonly code: string;
  /** One line for a person. */
  readonly message: string;
  /** Empty for reasons about the request as a whole. */
  readonly ruleId: string;
}

/**
 * A call or a check that failed. `message` is "CODE_NAME: details" with
 * the reasons, as grpc-js words its errors.
 */
export declare class AccordError extends Error {
  constructor(code: number, details: string, reasons?: readonly Reason[]);
  /** A grpc.status code. */
  readonly code: number;
  readonly codeName: string;
  /** The broker's message, or the check's own words. */
  readonly details: string;
  readonly reasons: readonly Reason[];
}

/** The broker (or the transport) answered with a non-OK status. */
export declare class RpcError extends AccordError {}

/** The broker's decision was DENY (code PERMISSION_DENIED). */
export declare class AccessDenied extends AccordError {
  constructor(decision: Decision, revision: number);
  readonly decision: Decision;
  readonly revision: number;
}

/** A local setting is unusable; `option` names it. */
export declare class ConfigurationError extends AccordError {
  constructor(option: string, details: string, code?: number);
  readonly option: string;
}

/** The name of a verifier check. */
export type VerificationCheck =
  | 'format' | 'key' | 'keys' | 'signature' | 'lifetime' | 'iss' | 'aud' | 'claims' | 'cnf'
  | 'revoked' | 'revocations';

/** A grant must not be honoured; `check` names the check that refused it. */
export declare class VerificationError extends AccordError {
  constructor(check: VerificationCheck, code: number, details: string);
  readonly check: VerificationCheck;
}

// The broker's answers

export interface Duty {
  readonly kind: string;
  readonly value: string;
}

/** A decision with its reasons (accord.v1.Decision). */
export interface Decision {
  readonly outcome: 'PERMIT' | 'DENY' | 'UNSPECIFIED';
  readonly permitted: boolean;
  readonly reasons: readonly Reason[];
  readonly policyVersion: number;
  readonly policyHash: string;
  readonly fields: readonly string[];
  readonly subjects: readonly string[];
  readonly lifetimeSeconds: number;
  readonly duties: readonly Duty[];
  /** The consents relied on: the broker tells only the operator (empty for a partner). */
  readonly consentIds: readonly string[];
}

/**
 * What the broker would decide (accord.v1.ExplainAccessResponse): the
 * decision, and how many of the subjects named it would grant, never
 * which (`decision.subjects` and `decision.consentIds` are empty for a
 * partner).
 */
export interface Explanation {
  readonly decision: Decision;
  readonly permitted: boolean;
  readonly subjectsAsked: number;
  readonly subjectsPermitted: number;
  readonly subjectsWithoutConsent: number;
  /** Store revision of the audit-log entry of the question (0: it named no subject). */
  readonly revision: number;
}

/** One signed grant (accord.v1.Grant). */
export interface Grant {
  /** The JWT "jti". */
  readonly id: string;
  /** The JWS compact serialization, for `Authorization: Bearer`. */
  readonly token: string;
  /** Unix seconds. */
  readonly expiresAt: number;
  readonly subjects: readonly string[];
  readonly logIndex: number;
}

/** A PERMIT: the (possibly narrowed) decision and its grants. */
export interface GrantResponse {
  readonly decision: Decision;
  readonly grants: readonly Grant[];
  readonly revision: number;
  /** The only grant; throws RangeError when the subjects were split over several. */
  readonly grant: Grant;
}

/** One request for a grant. */
export interface GrantRequest {
  dataset: string;
  purpose: string;
  /** The data service the grant is for (its "aud"). */
  audience: string;
  /** Pseudonyms; required for a PERSONAL dataset. */
  subjects?: readonly string[];
  /** Empty: every field the policy allows. */
  fields?: readonly string[];
  /** 0: the policy's maximum. */
  lifetimeSeconds?: number;
  /** A revision the answer must reflect. */
  atLeastAsFresh?: number;
  /** Where the data will be processed (policy rules' `locations`); "" or absent: "eu". */
  location?: string;
}

/** The answer to one request of a batch: a response, an error, or both (a DENY). */
export interface BatchResult {
  readonly response: GrantResponse | undefined;
  readonly error: AccordError | undefined;
  readonly ok: boolean;
  /** The response of a PERMIT; throws the request's error otherwise. */
  unwrap(): GrantResponse;
}

export interface ExplainRequest {
  /** The partner the question is about: the caller itself. */
  partner: string;
  dataset: string;
  purpose: string;
  fields?: readonly string[];
  subjects?: readonly string[];
  lifetimeSeconds?: number;
  /** As in GrantRequest. */
  location?: string;
}

/** Grants no longer to be honoured (accord.v1.Revocation). */
export interface Revocation {
  readonly grantIds: readonly string[];
  /** "consent_withdrawn", "grant_released" or "principal_removed". */
  readonly cause: string;
  /**
   * The point to resume after. A partner gets one grant id per message and
   * only the last message of each delivery carries a revision (the others
   * 0), so grants revoked together are never linked.
   */
  readonly revision: number;
}

// The channel and the client

/** PEM files of one principal and of the CA that signs the broker's certificate. */
export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface ChannelSettings extends TlsFiles {
  /** The name checked in the broker's certificate, when not the target's host. */
  serverName?: string;
  /** gRPC channel arguments, over RECONNECT_OPTIONS. */
  options?: ChannelOptions;
}

export declare const RECONNECT_OPTIONS: Readonly<ChannelOptions>;

export declare function readPem(option: string, path: string): Buffer;
export declare function mtlsCredentials(files: TlsFiles): import('@grpc/grpc-js').ChannelCredentials;
export declare function mtlsChannel(target: string, settings: ChannelSettings): Channel;
/** The files of a principal of a dev-mode broker (DIR/dev-pki). */
export declare function devPaths(devDir: string, principal: string): TlsFiles;

export interface ClientSettings {
  /** The deadline of each unary call; 10 s by default. */
  timeoutMs?: number;
  /** The directory holding accord/v1/*.proto; the repository's proto/ by default. */
  protoRoot?: string;
}

/** The revocations of one WatchRevocations call. */
export declare class RevocationStream implements AsyncIterable<Revocation> {
  /** The next revocation; rejects with RpcError when the stream breaks or is cancelled. */
  next(): Promise<IteratorResult<Revocation, undefined>>;
  cancel(): void;
  /** Leaving a for-await loop cancels the call. */
  [Symbol.asyncIterator](): AsyncIterator<Revocation, undefined>;
}

export declare class AccordClient {
  constructor(channel: Channel, settings?: ClientSettings);
  static connect(target: string, settings: ChannelSettings & ClientSettings): AccordClient;
  close(): void;
  /** Rejects with AccessDenied on DENY, RpcError on an error status. */
  requestGrant(request: GrantRequest): Promise<GrantResponse>;
  /** Up to 100 requests, each answered on its own, in order. */
  requestGrants(requests: Iterable<GrantRequest>): Promise<BatchResult[]>;
  /** Resolves to the revision of the release. */
  releaseGrant(grantId: string): Promise<number>;
  /** The decision the broker would make and the subject counts; a DENY resolves. */
  explainAccess(request: ExplainRequest): Promise<Explanation>;
  /** The grant JWKS, as text. */
  getVerificationKeys(): Promise<string>;
  /** The revocations the caller may see after `afterRevision` (0: all stored first). */
  watchRevocations(afterRevision?: number): RevocationStream;
}

// Verification

export interface VerificationKey {
  readonly kid: string;
  readonly algorithm: 'ES256' | 'EdDSA';
  readonly key: CryptoKey | import('node:crypto').KeyObject;
}

/** What a JwksSource loader resolves to. */
export interface JwksDocument {
  text: string;
  /** From Cache-Control; null: kept until an unknown kid. */
  maxAgeSeconds: number | null;
}

export interface JwksSettings {
  /** Loads for an unknown kid or a stale set at most this often; 30 s by default. */
  minRefreshIntervalMs?: number;
  /** A monotonic clock in milliseconds. */
  now?: () => number;
}

export interface JwksUrlSettings extends JwksSettings {
  /** The CA that signs the JWKS server's certificate: required for https, the only one trusted. */
  caFile?: string;
  /** Accept a plain http:// URL, only towards loopback. */
  allowLoopbackHttp?: boolean;
  fetchTimeoutMs?: number;
}

export declare class JwksSource {
  constructor(loader: () => Promise<JwksDocument>, settings?: JwksSettings);
  static fromUrl(url: string, settings?: JwksUrlSettings): Promise<JwksSource>;
  static fromLoader(loader: () => Promise<JwksDocument>, settings?: JwksSettings): Promise<JwksSource>;
  refreshIfStale(): Promise<boolean>;
  refreshAfterUnknownKid(): Promise<boolean>;
  key(kid: string): VerificationKey | undefined;
  kids(): string[];
  readonly loadCount: number;
}

/** A loader over TrustService.GetVerificationKeys. */
export declare function brokerKeysLoader(client: AccordClient): () => Promise<JwksDocument>;
export declare function parseJwks(text: string | Buffer): Promise<Map<string, VerificationKey>>;
export declare function parseJwksUrl(url: string, allowLoopbackHttp?: boolean): URL;
export declare function cacheMaxAge(cacheControl: string | null | undefined): number | null;
export declare function isLoopbackHost(host: string): boolean;

/** A client certificate as a TLS stack gives it. */
export type CertificateInput = string | Buffer | Uint8Array | X509Certificate | PeerCertificate
  | { raw: Buffer } | Record<string, never>;

/** The RFC 8705 x5t#S256 of a certificate. */
export declare function certificateThumbprint(certificate: CertificateInput): string;

/** A grant's claims, once verified. */
export interface VerifiedGrant {
  readonly id: string;
  readonly partner: string;
  readonly audience: string;
  readonly dataset: string;
  readonly purpose: string;
  readonly fields: readonly string[];
  /** null: not a PERSONAL dataset. */
  readonly subjects: readonly string[] | null;
  readonly expiresAt: number;
  readonly issuedAt: number;
  readonly notBefore: number;
  readonly cnfX5tS256: string;
  readonly kid: string;
  readonly algorithm: string;
  readonly issuer: string;
  readonly policyVersion: number;
  readonly policyHash: string;
  readonly revision: number;
  readonly duties: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  coversField(name: string): boolean;
  /** True when the grant names `subject` or has no subject list. */
  coversSubject(subject: string): boolean;
}

export declare const GRANT_TYPE: 'grant+jwt';
export declare const GRANT_ALGORITHMS: readonly ['ES256', 'EdDSA'];

export interface VerifierSettings {
  /** The expected "iss"; not checked when empty. */
  issuer?: string;
  /** Tolerated clock difference for exp, nbf and iat; 60 by default. */
  leewaySeconds?: number;
  algorithms?: readonly ('ES256' | 'EdDSA')[];
  /** Revoked grants, and fail closed while their stream is down. */
  revoked?: RevokedGrants | null;
  maxTokenBytes?: number;
  /** The wall clock in milliseconds (Date.now). */
  now?: () => number;
}

export declare class GrantVerifier {
  constructor(keys: JwksSource, audience: string, settings?: VerifierSettings);
  readonly audience: string;
  /** Rejects with VerificationError. */
  verify(token: string, clientCertificate: CertificateInput): Promise<VerifiedGrant>;
  verifyForThumbprint(token: string, x5tS256: string): Promise<VerifiedGrant>;
  /** Every check but the certificate binding; a data service uses verify(). */
  verifyUnbound(token: string): Promise<VerifiedGrant>;
}

// Revocations

export interface RevokedGrantsSettings {
  maxGrantLifetimeMs?: number;
  maxStalenessMs?: number;
  settleMs?: number;
  /** A monotonic clock in milliseconds. */
  now?: () => number;
}

export declare class RevokedGrants {
  constructor(settings?: RevokedGrantsSettings);
  add(grantIds: Iterable<string>): void;
  streamOpened(): void;
  streamEnded(): void;
  isUp(): boolean;
  has(grantId: string): boolean;
  readonly size: number;
  /** Throws VerificationError "revoked" or "revocations". */
  check(grantId: string): void;
}

export interface WatcherSettings {
  revoked?: RevokedGrants;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  onRevocation?: ((revocation: Revocation) => void) | null;
}

export declare class RevocationWatcher {
  constructor(client: AccordClient, settings?: WatcherSettings);
  readonly revoked: RevokedGrants;
  readonly lastRevision: number;
  readonly streamsOpened: number;
  readonly lastError: AccordError | null;
  stop(): Promise<void>;
}
