// Certificate construction for the development PKI (see dev_pki.h).
#include "broker/dev/dev_pki.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "broker/crypto/key_access.h"
#include "broker/crypto/openssl_util.h"

namespace accord::dev {
namespace {

using crypto::Algorithm;
using crypto::SigningKey;
using crypto::internal::OpenSslError;
using crypto::internal::OsslPtr;

absl::Status Internal(absl::string_view what) {
  return OpenSslError(absl::StatusCode::kInternal,
                      absl::StrCat("certificate: ", what));
}

bool IsAscii(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x21 ||
        static_cast<unsigned char>(c) > 0x7E) {
      return false;
    }
  }
  return !s.empty();
}

// A certificate with version 3, a random positive 127-bit serial, the
// subject CN, validity and public key set.
absl::StatusOr<OsslPtr<X509>> NewCertificate(absl::string_view cn,
                                             int64_t not_before,
                                             int64_t not_after, EVP_PKEY* pub) {
  OsslPtr<X509> x(X509_new());
  OsslPtr<BIGNUM> serial(BN_new());
  if (!x || !serial || X509_set_version(x.get(), 2) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x.get())) ==
          nullptr) {
    return Internal("cannot start");
  }
  X509_NAME* name = X509_get_subject_name(x.get());
  if (X509_NAME_add_entry_by_NID(
          name, NID_commonName, MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(cn.data()),
          static_cast<int>(cn.size()), -1, 0) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(x.get()),
                    static_cast<time_t>(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x.get()),
                    static_cast<time_t>(not_after)) == nullptr ||
      X509_set_pubkey(x.get(), pub) != 1) {
    return Internal("cannot set subject, validity or key");
  }
  return x;
}

// Adds an extension given in OpenSSL's configuration syntax.
bool AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

absl::Status AddSans(X509* cert, const CertificateSpec& spec) {
  OsslPtr<GENERAL_NAMES> names(GENERAL_NAMES_new());
  if (!names) return Internal("cannot allocate SANs");
  auto add_string = [&](int type, const std::string& value) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (gn == nullptr || s == nullptr ||
        ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(s);
      return false;
    }
    GENERAL_NAME_set0_value(gn, type, s);
    if (sk_GENERAL_NAME_push(names.get(), gn) == 0) {
      GENERAL_NAME_free(gn);
      return false;
    }
    return true;
  };
  for (const std::string& dns : spec.dns_sans) {
    if (!IsAscii(dns)) {
      return absl::InvalidArgumentError("certificate: DNS SAN is not ASCII");
    }
    if (!add_string(GEN_DNS, dns)) return Internal("cannot add DNS SAN");
  }
  for (const std::string& uri : spec.uri_sans) {
    if (!IsAscii(uri)) {
      return absl::InvalidArgumentError("certificate: URI SAN is not ASCII");
    }
    if (!add_string(GEN_URI, uri)) return Internal("cannot add URI SAN");
  }
  for (const std::string& ip : spec.ip_sans) {
    ASN1_OCTET_STRING* addr = a2i_IPADDRESS(ip.c_str());
    if (addr == nullptr) {
      ERR_clear_error();
      return absl::InvalidArgumentError(
          absl::StrCat("certificate: IP SAN \"", ip, "\" is not an address"));
    }
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (gn == nullptr) {
      ASN1_OCTET_STRING_free(addr);
      return Internal("cannot add IP SAN");
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, addr);
    if (sk_GENERAL_NAME_push(names.get(), gn) == 0) {
      GENERAL_NAME_free(gn);
      return Internal("cannot add IP SAN");
    }
  }
  if (sk_GENERAL_NAME_num(names.get()) > 0 &&
      X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0,
                        X509V3_ADD_DEFAULT) != 1) {
    return Internal("cannot add subjectAltName");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SignAndEncode(X509* cert, EVP_PKEY* signer) {
  if (X509_sign(cert, signer, EVP_sha256()) <= 0)
    return Internal("cannot sign");
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return Internal("cannot encode");
  }
  return std::string(crypto::internal::BioContents(bio.get()));
}

}  // namespace

absl::StatusOr<IssuedCertificate> NewCertificateAuthority(
    absl::string_view common_name, int64_t not_before, int64_t not_after) {
  absl::StatusOr<SigningKey> key = SigningKey::Generate(Algorithm::kES256);
  if (!key.ok()) return key.status();
  EVP_PKEY* pkey = crypto::internal::KeyAccess::Pkey(*key);
  absl::StatusOr<OsslPtr<X509>> x =
      NewCertificate(common_name, not_before, not_after, pkey);
  if (!x.ok()) return x.status();
  X509* cert = x->get();
  if (X509_set_issuer_name(cert, X509_get_subject_name(cert)) != 1 ||
      !AddExt(cert, cert, NID_basic_constraints, "critical,CA:TRUE") ||
      !AddExt(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !AddExt(cert, cert, NID_subject_key_identifier, "hash") ||
      !AddExt(cert, cert, NID_authority_key_identifier, "keyid:always")) {
    return Internal("cannot add CA extensions");
  }
  absl::StatusOr<std::string> pem = SignAndEncode(cert, pkey);
  if (!pem.ok()) return pem.status();
  return IssuedCertificate{std::move(*pem), std::move(*key)};
}

absl::StatusOr<IssuedCertificate> IssueCertificate(
    const IssuedCertificate& ca, const CertificateSpec& spec) {
  OsslPtr<BIO> bio = crypto::internal::MemBio(ca.cert_pem);
  OsslPtr<X509> ca_cert(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!ca_cert) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "certificate: CA certificate does not parse");
  }
  absl::StatusOr<SigningKey> key = SigningKey::Generate(Algorithm::kES256);
  if (!key.ok()) return key.status();
  absl::StatusOr<OsslPtr<X509>> x =
      NewCertificate(spec.common_name, spec.not_before, spec.not_after,
                     crypto::internal::KeyAccess::Pkey(*key));
  if (!x.ok()) return x.status();
  X509* cert = x->get();
  const char* eku = spec.usage == CertificateSpec::Usage::kServer
                        ? "serverAuth"
                        : "clientAuth";
  if (X509_set_issuer_name(cert, X509_get_subject_name(ca_cert.get())) != 1 ||
      !AddExt(cert, ca_cert.get(), NID_basic_constraints,
              "critical,CA:FALSE") ||
      !AddExt(cert, ca_cert.get(), NID_key_usage,
              "critical,digitalSignature") ||
      !AddExt(cert, ca_cert.get(), NID_ext_key_usage, eku) ||
      !AddExt(cert, ca_cert.get(), NID_subject_key_identifier, "hash") ||
      !AddExt(cert, ca_cert.get(), NID_authority_key_identifier,
              "keyid:always")) {
    return Internal("cannot add extensions");
  }
  absl::Status sans = AddSans(cert, spec);
  if (!sans.ok()) return sans;
  absl::StatusOr<std::string> pem =
      SignAndEncode(cert, crypto::internal::KeyAccess::Pkey(ca.key));
  if (!pem.ok()) return pem.status();
  return IssuedCertificate{std::move(*pem), std::move(*key)};
}

}  // namespace accord::dev
